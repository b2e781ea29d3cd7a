package dev.pidlock.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import dev.pidlock.testkit.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under the JDK's default logging configuration (a console handler at INFO) a library call prints nothing on a
 * normal path: acquire and release log at DEBUG; a takeover of a stale pidfile is worth one INFO record. Runs a
 * child JVM with no logging configuration of its own.
 */
class QuietLoggingTest {

    /** The child: acquires and releases the pidfile named by its argument a few times. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args the pidfile
         */
        public static void main(String[] args) {
            for (int i = 0; i < 3; i++) {
                try (PidLock lock = PidLock.at(Path.of(args[0])).backend(NioBackend.ID).acquire()) {
                    lock.path();
                }
            }
            System.out.println("DONE");
        }
    }

    @TempDir
    Path dir;

    private List<String> childStderr(Path pidfile) throws IOException {
        try (ChildProcess child = ChildProcess.start(null, ChildProcess.javaCommand(Child.class.getName(),
                pidfile.toString()))) {
            assertEquals("DONE", child.nextLine());
            assertEquals(0, child.waitFor(), child::stderr);
            return child.stderr().lines().toList();
        }
    }

    @Test
    void acquiringAndReleasingPrintsNothing() throws IOException {
        List<String> err = childStderr(dir.resolve("quiet.pid"));
        assertEquals(List.of(), err, "nothing on stderr on a normal path");
    }

    @Test
    void aStaleTakeoverPrintsOneInfoRecord() throws IOException {
        Path pidfile = dir.resolve("stale.pid");
        Files.writeString(pidfile, "not a pid\n");
        List<String> err = childStderr(pidfile);
        List<String> levels = err.stream().filter(l -> l.matches("[A-Z]+: .*")).toList();
        assertEquals(1, levels.size(), () -> "one log record: " + err);
        assertTrue(levels.get(0).startsWith("INFO: taking over stale pidfile " + pidfile), () -> err.toString());
    }
}
