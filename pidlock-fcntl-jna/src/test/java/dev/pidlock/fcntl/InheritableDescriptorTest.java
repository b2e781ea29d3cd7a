package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.BackendUnavailableException;
import dev.pidlock.PidLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locked descriptor is close-on-exec unless the caller asks for it to be inherited, deliberately; only
 * backends whose lock survives {@code exec} in a child (OFD and flock locks, not POSIX ones) allow that.
 */
class InheritableDescriptorTest {
    private static final int O_CLOEXEC = 02000000;

    @TempDir
    Path dir;

    private static int openFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags in fdinfo of " + fd);
    }

    @Test
    void inheritableOnlyWhenAskedAndOnlyWhereTheLockSurvivesExec() throws IOException {
        Path pidfile = dir.resolve("inherit.pid");
        for (String id : List.of("ofd", "flock", "ofd+flock")) {
            try (PidLock lock = PidLock.at(pidfile).backend(id).inheritableAcrossExec().acquire()) {
                int fd = lock.inheritableDescriptor().orElseThrow();
                assertEquals(0, openFlags(fd) & O_CLOEXEC, id + ": the descriptor must survive exec");
                assertEquals(pidfile.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)), id);
            }
            try (PidLock lock = PidLock.at(pidfile).backend(id).acquire()) {
                assertTrue(lock.inheritableDescriptor().isEmpty(), id + ": not asked for, not offered");
            }
        }
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> PidLock.at(pidfile).backend("posix").inheritableAcrossExec().acquire());
        assertTrue(e.getMessage().contains("INHERITABLE_ACROSS_EXEC"), e.getMessage());
    }

    @Test
    void ordinaryDescriptorsAreCloseOnExec() throws IOException {
        Path pidfile = dir.resolve("cloexec.pid");
        for (String id : List.of("ofd", "flock", "ofd+flock", "posix")) {
            try (PidLock lock = PidLock.at(pidfile).backend(id).acquire()) {
                long open = Files.list(Path.of("/proc/self/fd")).filter(p -> {
                    try {
                        return Files.readSymbolicLink(p).equals(pidfile.toRealPath());
                    } catch (IOException gone) {
                        return false;
                    }
                }).map(p -> Integer.parseInt(p.getFileName().toString())).filter(fd -> {
                    try {
                        return (openFlags(fd) & O_CLOEXEC) == 0;
                    } catch (IOException gone) {
                        return false;
                    }
                }).count();
                assertEquals(0, open, id + ": every descriptor of the pidfile must be close-on-exec");
            }
        }
    }
}
