package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.ProcessInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A holder killed with SIGKILL gives its lock up while it exits, before it turns zombie: whoever was waiting can
 * get the lock while {@code /proc/PID/stat} still shows the holder running ({@code R} or {@code D}, flagged
 * {@code PF_EXITING}). Found by the crash torture: the next acquirer read the dead holder's pid from the file,
 * took it for a live process that writes pidfiles without locking, and refused with "already running".
 * pidlock must count an exiting process as dead. (Observed here in about a third of the kills of a
 * single-threaded holder.)
 */
class ExitingHolderTest {

    @TempDir
    Path dir;

    @Test
    void aKilledHolderIsDeadFromTheMomentItsLockIsFree() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
        assumeTrue(new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0, "needs python3");
        Path file = dir.resolve("holder.pid");
        for (int i = 0; i < 20; i++) {
            Process holder = new ProcessBuilder("python3", "-c", String.join("\n",
                    "import fcntl, os, sys, time",
                    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)",
                    "fcntl.lockf(fd, fcntl.LOCK_EX)",
                    "print('HELD', flush=True)",
                    "time.sleep(100)"), file.toString()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.US_ASCII));
                 FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                assertEquals("HELD", out.readLine());
                holder.destroyForcibly();
                try (FileLock lock = channel.lock()) {
                    long pid = holder.pid();
                    RecordedHolder recorded = new RecordedHolder(pid, file, Optional.empty());
                    assertEquals(StaleVerdict.Kind.DEAD, StaleDetector.defaults().assess(recorded).kind(),
                            "kill " + i + ": the lock is free, so its killed holder is gone or exiting");
                    assertFalse(ProcessInfo.of(pid).alive(), "kill " + i);
                }
            } finally {
                holder.destroyForcibly();
                holder.waitFor();
            }
        }
    }
}
