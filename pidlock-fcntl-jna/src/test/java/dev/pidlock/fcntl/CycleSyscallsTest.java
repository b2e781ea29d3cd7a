package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.PidLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system calls of the default backend's acquire path, as {@code strace} attached to the calling thread
 * sees them (skipped without {@code strace} or without the right to trace): no {@code ftruncate} of an empty or
 * shorter file (on ext4 it costs a journal commit), one read of the old content, no explicit unlock before the
 * close of a descriptor nobody else has, and a refused {@code tryAcquire} that reads nothing of {@code /proc}.
 */
class CycleSyscallsTest {

    @TempDir
    Path dir;

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void aFreshPidfileIsWrittenWithoutTruncateReadOnceAndReleasedByItsClose() throws Exception {
        Path pidfile = dir.resolve("fresh.pid");
        PidLock.Builder lock = PidLock.at(pidfile).backend("ofd+flock");
        lock.acquire().close(); // classes loaded and linked before tracing
        List<String> calls = traced(() -> lock.acquire().close());
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("pwrite64(")), String.join("\n", calls));
        assertEquals(List.of(), matching(calls, "ftruncate("), "an empty file is never truncated");
        assertEquals(1, matching(calls, "pread64(").size(), "only the old content is read: " + calls);
        assertEquals(List.of(), matching(calls, "LOCK_UN"), "the close releases the flock");
        assertEquals(List.of(), matching(calls, "F_UNLCK"), "the close releases the OFD lock");
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void longerOldContentIsCutToThePidAndShorterIsNot() throws Exception {
        Path pidfile = dir.resolve("long.pid");
        PidLock.Builder lock = PidLock.at(pidfile).backend("ofd+flock").onRelease(dev.pidlock.spi.ReleaseAction.KEEP);
        lock.acquire().close();
        Files.writeString(pidfile, "   \n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"); // blank, longer than a pid: stale
        List<String> calls = traced(() -> lock.acquire().close());
        assertEquals(PID + "\n", Files.readString(pidfile));
        assertEquals(1, matching(calls, "ftruncate(").size(), String.join("\n", calls));

        Files.writeString(pidfile, "\n"); // shorter than the pid: written over, nothing to cut
        calls = traced(() -> lock.acquire().close());
        assertEquals(PID + "\n", Files.readString(pidfile));
        assertEquals(List.of(), matching(calls, "ftruncate("));
    }

    @Test
    void anInheritableLockIsStillUnlockedBeforeItsClose() throws Exception {
        PidLock.Builder lock = PidLock.at(dir.resolve("inherit.pid")).backend("ofd+flock").inheritableAcrossExec();
        lock.acquire().close();
        List<String> calls = traced(() -> lock.acquire().close());
        assertEquals(1, matching(calls, "LOCK_UN").size(), String.join("\n", calls));
        assertEquals(1, matching(calls, "F_UNLCK").size(), String.join("\n", calls));
    }

    @Test
    void aRefusedTryLooksUpNoHolder() throws Exception {
        Path pidfile = dir.resolve("held.pid");
        PidLock.Builder lock = PidLock.at(pidfile).backend("ofd+flock");
        PidLock.at(dir.resolve("warm.pid")).backend("ofd+flock").acquire().close();
        Files.createFile(pidfile);
        Process holder = new ProcessBuilder("flock", "-n", pidfile.toString(), "sleep", "60").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(Path.of("/proc/locks")).contains(":" + Files.getAttribute(pidfile, "unix:ino")
                    + " ") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(Optional.empty(), lock.tryAcquire());
            Optional<?>[] got = new Optional<?>[1];
            List<String> calls = traced(() -> got[0] = lock.tryAcquire());
            assertEquals(Optional.empty(), got[0]);
            assertEquals(List.of(), matching(calls, "/proc/"), "a refused try reads no /proc: " + String.join("\n", calls));
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static List<String> matching(List<String> calls, String text) {
        return calls.stream().filter(c -> c.contains(text)).collect(Collectors.toList());
    }

    /** @return the system calls this thread made during {@code action}, one per line */
    private List<String> traced(Action action) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")) || Files.isExecutable(Path.of("/bin/strace")),
                "no strace");
        String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        Path out = dir.resolve("strace-" + System.nanoTime() + ".txt");
        Process strace = new ProcessBuilder("strace", "-qq", "-o", out.toString(), "-p", tid,
                "-e", "trace=%file,%desc").redirectErrorStream(true).start();
        try {
            // strace has attached once the thread's status names a tracer
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!tracedNow(tid)) {
                assumeTrue(strace.isAlive() && System.nanoTime() < deadline,
                        () -> "strace could not attach: " + output(strace));
                Thread.sleep(5);
            }
            Files.exists(dir.resolve("trace-start")); // markers: only the calls between them count
            action.run();
            Files.exists(dir.resolve("trace-end"));
        } finally {
            strace.destroy();
            strace.waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(out);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("/trace-start\"")) {
                start = i;
            } else if (lines.get(i).contains("/trace-end\"")) {
                end = i;
            }
        }
        assertTrue(start >= 0 && end > start, () -> "no markers in the trace: " + lines);
        return lines.subList(start + 1, end).stream().filter(l -> !l.startsWith("---"))
                .collect(Collectors.toList());
    }

    private static boolean tracedNow(String tid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (line.startsWith("TracerPid:")) {
                return !line.substring("TracerPid:".length()).trim().equals("0");
            }
        }
        return false;
    }

    private static String output(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            return r.lines().collect(Collectors.joining(" "));
        } catch (IOException e) {
            return e.toString();
        }
    }
}
