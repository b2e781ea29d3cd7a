package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.TestBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that can write the pidfile's directory swaps the pidfile with a symlink to another file, again and
 * again (renameat2 RENAME_EXCHANGE from python3), while pidlock acquires through the java.nio store and sets a
 * wider mode: the other file's mode never changes. The mode goes to the open file, never through the path.
 */
class NioStoreSwappedSymlinkTest {

    @TempDir
    Path dir;

    private static final String SWAPPER = String.join("\n",
            "import ctypes, os, sys, time",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "a, b, seconds = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), float(sys.argv[3])",
            "print('ready', flush=True)",
            "end = time.time() + seconds",
            "while time.time() < end:",
            "    libc.renameat2(-100, a, -100, b, 2)",
            "");

    @Test
    void theModeNeverReachesTheSymlinksTarget() throws IOException, InterruptedException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc");
        Path victim = Files.writeString(dir.resolve("victim"), "secret\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path pidfile = Files.createFile(dir.resolve("d.pid"));
        Path link = Files.createSymbolicLink(dir.resolve("lnk"), victim);
        Process swapper = new ProcessBuilder("python3", "-c", SWAPPER, pidfile.toString(), link.toString(), "20")
                .redirectErrorStream(true).start();
        try {
            assertEquals("ready", new String(swapper.getInputStream().readNBytes(5)));
            int acquired = 0;
            for (int i = 0; i < 5000 && swapper.isAlive(); i++) {
                String mode = i % 2 == 0 ? "rw-rw-rw-" : "rw-rw-r--"; // a change every time: a chmod every time
                try (PidLock lock = PidLock.at(pidfile).backend(new TestBackend()).fileMode(mode)
                        .onRelease(ReleaseAction.KEEP).acquire()) {
                    acquired++;
                } catch (PidLockException refused) {
                    // the path named the symlink: refused, as it must be
                }
                assertEquals("rw-------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(victim, LinkOption.NOFOLLOW_LINKS)), "after " + i + " tries");
            }
            assertTrue(acquired > 0, "some acquisitions found the regular file");
            assertEquals(Optional.of("secret\n"), Optional.of(Files.readString(victim)));
        } finally {
            swapper.destroyForcibly();
            swapper.waitFor();
        }
    }
}
