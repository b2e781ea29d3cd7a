package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.UnsafePidFileException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What the pidfile path may name and what the file looks like: every hostile file type at the path (symlink,
 * symlink chain, directory, FIFO, socket, device) and a world-writable directory without the sticky bit are
 * refused, by {@code acquire} and {@code inspect} alike, without blocking and without touching what is there; the
 * file gets its mode through the descriptor, whatever the umask and whatever mode an existing file had.
 *
 * @since 0.1
 */
public abstract class PidFileCases extends ContractCase {

    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected PidFileCases() {
    }

    /**
     * Acquiring the pidfile, and inspecting it, must refuse what is at the path, within
     * {@link ChildProcess#PATIENCE} (a FIFO must not block either), with a message naming the path and
     * {@code kind}.
     */
    private void assertRefused(String kind) {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Throwable> f = ex.submit(() -> {
                try {
                    lock().acquire().close();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable t;
            try {
                t = f.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException blocked) {
                fail("acquire blocked on a " + kind);
                return;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertTrue(t instanceof UnsafePidFileException, "a " + kind + " at the path: " + t);
            assertTrue(t.getMessage().contains(pidfile.toString()) && t.getMessage().contains(kind), t.getMessage());
            UnsafePidFileException tried = assertThrows(UnsafePidFileException.class, () -> lock().tryAcquire(),
                    "tryAcquire of a " + kind);
            assertTrue(tried.getMessage().contains(kind), tried.getMessage());

            Future<PidFileStatus> inspected = ex.submit(() -> lock().inspect());
            PidFileStatus status;
            try {
                status = inspected.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException blocked) {
                fail("inspect blocked on a " + kind);
                return;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertEquals(PidFileStatus.State.UNKNOWN, status.state(), status.toString());
            assertTrue(status.detail().contains(kind), status.toString());
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * A library is quiet: under the JDK's default logging (INFO and above on stderr), acquiring, releasing with
     * the pid kept, and acquiring the same pidfile again in the same JVM print nothing.
     *
     * @throws IOException when the child cannot start
     */
    @Test
    void acquiringAgainAPidfileKeptByThisProcessPrintsNothing() throws IOException {
        ChildProcess c = child("release=KEEP");
        assertTrue(c.nextLine().startsWith("ACQUIRED "));
        c.send("release");
        c.expect("RELEASED");
        c.send("again");
        assertTrue(c.nextLine().startsWith("ACQUIRED "));
        c.send("release");
        c.expect("RELEASED");
        c.closeStdin();
        assertEquals(0, c.waitFor());
        assertEquals("", c.stderr(), "the child's stderr");
    }

    /**
     * A symlink at the pidfile path is refused, whether it points to a file or nowhere, and its target is
     * neither created nor changed.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void symlinkAtThePathIsRefusedAndItsTargetUntouched() throws IOException {
        Path target = dir.resolve("precious.txt");
        Files.writeString(target, "precious");
        Files.setLastModifiedTime(target, LONG_AGO);
        Files.createSymbolicLink(pidfile, target);

        assertRefused("symbolic link");
        assertEquals("precious", Files.readString(target));
        assertEquals(LONG_AGO, Files.getLastModifiedTime(target));
        assertTrue(Files.isSymbolicLink(pidfile));

        Files.delete(pidfile);
        Path nowhere = dir.resolve("nowhere.pid");
        Files.createSymbolicLink(pidfile, nowhere);
        assertRefused("symbolic link");
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS), "a dangling symlink's target is not created");
    }

    /**
     * A chain of symlinks at the path (pidfile → link → link → file, and one that ends nowhere) is refused;
     * no link and no target is changed or created.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void symlinkChainIsRefusedAndNothingAlongItIsTouched() throws IOException {
        Path target = dir.resolve("precious.txt");
        Files.writeString(target, "precious");
        Files.setLastModifiedTime(target, LONG_AGO);
        Path second = Files.createSymbolicLink(dir.resolve("second.link"), target);
        Path first = Files.createSymbolicLink(dir.resolve("first.link"), second);
        Files.createSymbolicLink(pidfile, first);

        assertRefused("symbolic link");
        assertEquals(first, Files.readSymbolicLink(pidfile));
        assertEquals(second, Files.readSymbolicLink(first));
        assertEquals(target, Files.readSymbolicLink(second));
        assertEquals("precious", Files.readString(target));
        assertEquals(LONG_AGO, Files.getLastModifiedTime(target));

        Files.delete(second);
        Path nowhere = dir.resolve("nowhere.pid");
        Files.createSymbolicLink(second, nowhere);
        assertRefused("symbolic link");
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS), "the chain's last target is not created");
    }

    /**
     * A directory at the pidfile path is refused with a clear error and left as it is.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void directoryAtThePathIsRefused() throws IOException {
        Files.createDirectory(pidfile);
        assertRefused("directory");
        assertTrue(Files.isDirectory(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A FIFO at the pidfile path is refused without blocking, by {@code acquire} and by {@code inspect}.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void fifoAtThePathIsRefusedWithoutBlocking() throws IOException {
        run("mkfifo", pidfile.toString());
        assertRefused("FIFO");
        assertTrue(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A Unix domain socket at the pidfile path (a server's, still listening) is refused and left in place.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void socketAtThePathIsRefused() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(pidfile));
            assertRefused("socket");
            assertTrue(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(pidfile,
                    LinkOption.NOFOLLOW_LINKS), "the socket must stay");
        }
    }

    /**
     * A character device and a block device at the pidfile path are refused and not opened. Making a device
     * node needs {@code CAP_MKNOD} (root): without it the case is skipped.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void deviceAtThePathIsRefused() throws IOException {
        for (String type : List.of("c", "b")) {
            Files.deleteIfExists(pidfile);
            // 1:3 is /dev/null's number, 7:250 a loop device that is most likely absent: neither is ever opened.
            Process mknod = new ProcessBuilder("mknod", pidfile.toString(), type, type.equals("c") ? "1" : "7",
                    type.equals("c") ? "3" : "250").redirectErrorStream(true).start();
            String out = new String(mknod.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                skipUnless(mknod.waitFor() == 0, "mknod failed (a device node needs CAP_MKNOD; run as root to"
                        + " include this case): " + out.strip());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            assertRefused("device");
            assertFalse(Files.isRegularFile(pidfile, LinkOption.NOFOLLOW_LINKS));
        }
    }

    /**
     * A world-writable directory without the sticky bit is refused: anybody could replace the pidfile. With
     * the sticky bit (as {@code /tmp} has) it is fine.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void worldWritableDirectoryWithoutStickyBitIsRefused() throws IOException {
        Path open = dir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafePidFileException e = assertThrows(UnsafePidFileException.class,
                () -> PidLock.at(open.resolve("x.pid")).backend(backendId()).acquire());
        assertTrue(e.getMessage().contains("world-writable"), e.getMessage());
        assertFalse(Files.exists(open.resolve("x.pid"), LinkOption.NOFOLLOW_LINKS));

        run("chmod", "1777", open.toString());
        try (PidLock sticky = PidLock.at(open.resolve("x.pid")).backend(backendId()).acquire()) {
            assertTrue(sticky.isHeld(), "a sticky world-writable directory is acceptable");
        }
    }

    /**
     * The pidfile is mode 0644 whatever the umask of the acquirer (077 and 000 here), and a policy's mode
     * ({@code rw-rw----} here) is set exactly, also under umask 077. One file per child, so that the children
     * can start side by side.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void modeIsSetThroughTheDescriptorWhateverTheUmask() throws IOException {
        List<String[]> cases = List.of(new String[] {"077", "rw-r--r--"}, new String[] {"000", "rw-r--r--"},
                new String[] {"077", "rw-rw----"});
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            List<String> args = new ArrayList<>(List.of("acquire", dir.resolve(i + ".pid").toString(), backendId()));
            if (!cases.get(i)[1].equals("rw-r--r--")) {
                args.add("mode=" + cases.get(i)[1]);
            }
            children.add(closeAfterwards(ChildProcess.lockChildWithUmask(cases.get(i)[0],
                    args.toArray(String[]::new))));
        }
        for (int i = 0; i < cases.size(); i++) {
            ChildProcess c = children.get(i);
            assertEquals("ACQUIRED " + c.pid(), c.nextLine(), c::stderr);
            assertEquals(cases.get(i)[1], PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve(i + ".pid"), LinkOption.NOFOLLOW_LINKS)), "under umask " + cases.get(i)[0]);
        }
    }

    /**
     * An existing pidfile taken over gets mode 0644 whatever mode it had: world-writable 0666 and 0600 here.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void existingFileGetsTheModeWhateverItHad() throws IOException {
        for (String before : List.of("rw-rw-rw-", "rw-------")) {
            Files.deleteIfExists(pidfile);
            Files.writeString(pidfile, deadPid() + "\n");
            Files.setPosixFilePermissions(pidfile, PosixFilePermissions.fromString(before));
            try (PidLock mine = lock().acquire()) {
                assertEquals("rw-r--r--", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(pidfile, LinkOption.NOFOLLOW_LINKS)), "a file that was " + before);
            }
        }
    }

    /**
     * As root, {@code fileOwner("nobody", "65534")} gives the pidfile to that user and group (a name and a numeric
     * id), a new file and an existing one alike, while the lock is held.
     *
     * @throws IOException when the fixture cannot be made
     * @since 0.2
     */
    @Test
    void fileOwnerGivesThePidfileToTheUser() throws IOException {
        skipUnless("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
        skipUnless(lookup("nobody"), "there is no user nobody");
        for (boolean existing : new boolean[] {false, true}) {
            if (existing) {
                Files.writeString(pidfile, deadPid() + "\n");
            }
            try (PidLock mine = lock().fileOwner("nobody", "65534").acquire()) {
                assertEquals("nobody", Files.getOwner(pidfile, LinkOption.NOFOLLOW_LINKS).getName(),
                        existing ? "an existing file" : "a new file");
                assertEquals(65534, Files.getAttribute(pidfile, "unix:gid", LinkOption.NOFOLLOW_LINKS));
                assertEquals(mine.pid() + "\n", content());
            }
            Files.deleteIfExists(pidfile);
        }
    }

    /**
     * An unknown user or group is refused when the builder is given it, in one line naming it; nothing is created.
     *
     * @since 0.2
     */
    @Test
    void unknownFileOwnerIsRefusedNamingIt() {
        IllegalArgumentException user = assertThrows(IllegalArgumentException.class,
                () -> lock().fileOwner("no-such-user-pidlock"));
        assertEquals("no user \"no-such-user-pidlock\" (neither a name nor a numeric uid)", user.getMessage());
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> lock().fileOwner("0", "no-such-group-pidlock"));
        assertEquals("no group \"no-such-group-pidlock\" (neither a name nor a numeric gid)", group.getMessage());
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    private static boolean lookup(String user) {
        try {
            java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
