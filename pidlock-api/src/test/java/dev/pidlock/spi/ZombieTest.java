package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.ProcessInfo;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An exited process that its parent has not reaped yet (a zombie) holds no lock and runs no code, though
 * {@link ProcessHandle#isAlive()} says it lives: pidlock counts it as dead.
 */
class ZombieTest {

    @Test
    void aZombieIsDeadForTheDetectorsAndForInspection() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
        // sh starts `true` in the background, then becomes `sleep`, which never reaps it.
        Process parent = new ProcessBuilder("sh", "-c", "true & exec sleep 30").start();
        try {
            // found by reading /proc here, not through the code under test: were the /proc reader broken,
            // the test would otherwise find no zombie and pass without checking anything
            long zombie = -1;
            for (int i = 0; i < 2000 && zombie < 0; i++) {
                Optional<ProcessHandle> child = parent.toHandle().children().findFirst();
                if (child.isPresent() && state(child.get().pid()) == 'Z') {
                    zombie = child.get().pid();
                } else {
                    TimeUnit.MILLISECONDS.sleep(10);
                }
            }
            assertTrue(zombie > 0, "sh's background child did not turn into a zombie");
            assertEquals('Z', ProcFs.stat(zombie).map(ProcStat::state).orElse('?'), "the reader sees the Z");
            assertTrue(ProcFs.hasExited(zombie), "a zombie has exited");
            assertTrue(ProcFs.terminated(zombie), "a zombie has closed its files");
            assertFalse(ProcFs.mayHoldFiles(zombie), "a zombie holds no lock");
            long pid = zombie;
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the JDK calls it alive");
            RecordedHolder holder = new RecordedHolder(pid, Path.of("/nowhere.pid"), Optional.empty());
            assertEquals(StaleVerdict.Kind.DEAD, StaleDetector.processAlive().assess(holder).kind());
            assertEquals(StaleVerdict.Kind.DEAD, StaleDetector.defaults().assess(holder).kind());
            assertFalse(ProcessInfo.of(pid).alive());
        } finally {
            parent.destroyForcibly();
        }
    }

    /** @return the state letter of {@code /proc/PID/stat}, or '?' when it cannot be read */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException gone) {
            return '?';
        }
    }
}
