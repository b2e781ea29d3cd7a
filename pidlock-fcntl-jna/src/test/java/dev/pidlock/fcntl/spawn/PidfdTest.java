package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Pidfd} against real processes: a signal through it reaches its process or nothing. */
class PidfdTest {
    private static final int SIGTERM = 15;
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(Process::destroyForcibly);
    }

    private Process sleeper() throws IOException {
        Process p = new ProcessBuilder("sleep", "30").start();
        children.add(p);
        return p;
    }

    @Test
    void thisKernelHasPidfds() {
        assertTrue(Pidfd.available(), "Linux 5.3 or later");
    }

    @Test
    void aSignalThroughThePidfdEndsItsProcessAndThePidfdTurnsReadable() throws Exception {
        Process child = sleeper();
        try (Pidfd pidfd = Pidfd.open(child.pid()).orElseThrow()) {
            assertEquals(child.pid(), pidfd.pid());
            assertFalse(pidfd.exited());
            assertFalse(Pidfd.awaitExit(List.of(pidfd), Duration.ofMillis(10)));
            assertTrue(pidfd.signal(SIGTERM));
            while (!Pidfd.awaitExit(List.of(pidfd), Duration.ofSeconds(1))) {
                assertTrue(child.isAlive() || !pidfd.exited(), "poll says so once it is gone");
            }
            assertTrue(pidfd.exited());
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(128 + SIGTERM, child.exitValue());
        }
    }

    @Test
    void noPidfdForAPidThatIsFree() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assumeTrue(!Files.exists(Path.of("/proc/" + gone.pid())), "the pid was taken again at once");
        assertTrue(Pidfd.open(gone.pid()).isEmpty());
    }

    @Test
    void aSignalThroughThePidfdOfAReapedProcessReachesNobody() throws Exception {
        Process child = sleeper();
        try (Pidfd pidfd = Pidfd.open(child.pid()).orElseThrow()) {
            child.destroyForcibly().waitFor();
            assertTrue(pidfd.exited());
            assertFalse(pidfd.signal(SIGTERM), "ESRCH");
        }
    }

    /**
     * The pid of a reaped process is handed to a new one through {@code ns_last_pid} (root only); a signal
     * through the old process's pidfd does not reach it, where {@code kill(pid)} would.
     */
    @Test
    void aRecycledPidNeverGetsTheSignal() throws Exception {
        assumeTrue(Files.isWritable(NS_LAST_PID), "needs root: " + NS_LAST_PID);
        Process old = sleeper();
        long pid = old.pid();
        try (Pidfd pidfd = Pidfd.open(pid).orElseThrow()) {
            old.destroyForcibly().waitFor();
            Process successor = null;
            for (int attempt = 0; attempt < 20 && successor == null; attempt++) {
                Files.writeString(NS_LAST_PID, Long.toString(pid - 1), StandardCharsets.US_ASCII);
                Process p = sleeper();
                if (p.pid() == pid) {
                    successor = p;
                } else {
                    p.destroyForcibly().waitFor();
                }
            }
            assumeTrue(successor != null, "another process took pid " + pid + " each time");
            assertFalse(pidfd.signal(SIGTERM), "the old process is gone");
            assertFalse(successor.waitFor(200, TimeUnit.MILLISECONDS));
            assertTrue(successor.isAlive(), "the new process with the same pid got nothing");
        }
    }
}
