package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.AlreadyRunningException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an unlocked pidfile's content decides: no live holder, a reused pid and garbage are taken over; a live
 * process that may have written the file is respected as already running.
 *
 * @since 0.1
 */
public abstract class StaleCases extends ContractCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected StaleCases() {
    }

    /**
     * An unlocked file naming a dead process, or this very process (which does not hold it), names no live
     * holder: taken over.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void unlockedFileNamingNoLiveHolderIsTakenOver() throws IOException {
        for (long pid : new long[] {deadPid(), ProcessHandle.current().pid()}) {
            Files.writeString(pidfile, pid + "\n");
            try (PidLock mine = lock().acquire()) {
                assertEquals(ProcessHandle.current().pid() + "\n", content(), "a file naming pid " + pid);
            }
        }
    }

    /**
     * An unlocked file naming a live process that started after the file was written names a reused pid:
     * taken over, and the process is left alone.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void liveProcessYoungerThanTheFileIsAReusedPidAndTakenOver() throws IOException {
        Process younger = bystander();
        Files.writeString(pidfile, younger.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
        assertTrue(younger.isAlive(), "the unrelated process is left alone");
    }

    /**
     * An unlocked file naming a live process that may have written it (started before the file) is respected:
     * already running, with its pid, in this JVM and in another; nothing is changed.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void liveOlderProcessInUnlockedFileIsAlreadyRunning() throws IOException {
        Process older = bystander();
        Files.writeString(pidfile, older.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plus(Duration.ofMinutes(1))));

        AlreadyRunningException e = assertThrows(AlreadyRunningException.class, () -> lock().acquire());
        assertEquals(older.pid(), e.pid());
        assertTrue(e.getMessage().contains(Long.toString(older.pid())), e.getMessage());
        assertTrue(lock().tryAcquire().isEmpty());
        assertEquals(older.pid() + "\n", content(), "the file of a running process is not touched");

        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT running " + older.pid()), line);
        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
        assertTrue(older.isAlive());
    }

    /**
     * Garbage, empty, pid 0 and 1, negative and out-of-range pids and oversized content name no holder:
     * taken over.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void garbageContentIsTakenOver() throws IOException {
        List<byte[]> contents = List.of("garbage\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1),
                new byte[0], "0\n".getBytes(StandardCharsets.US_ASCII), "1\n".getBytes(StandardCharsets.US_ASCII),
                "-7\n".getBytes(StandardCharsets.US_ASCII), "99999999999999999999\n".getBytes(StandardCharsets.US_ASCII),
                new byte[100_000]);
        for (byte[] bytes : contents) {
            Files.write(pidfile, bytes);
            try (PidLock mine = lock().acquire()) {
                assertEquals(ProcessHandle.current().pid() + "\n", content());
            }
        }
    }
}
