package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locked descriptor is close-on-exec unless the caller asks for it to be inherited (PRODUCT.md §4 step 2).
 * Not a kit case: java.nio cannot open close-on-exec, so backend {@code nio} could not pass it. That an
 * inheritable descriptor is offered only when asked for, and only by backends whose lock survives {@code exec},
 * is the kit's ({@code SameJvmCases}).
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
