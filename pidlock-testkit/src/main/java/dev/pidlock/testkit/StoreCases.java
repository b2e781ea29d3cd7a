package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.ReleaseAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The backend's {@link dev.pidlock.spi.PidFileStore} and {@link Exclusion}, called directly as pidlock calls
 * them: what a write leaves in the file, removal only of the file still named by the path, and examining
 * without following a symlink. Run for every backend by {@link LockBackendContract}.
 *
 * @since 0.2
 */
public abstract class StoreCases extends ContractCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.2
     */
    protected StoreCases() {
    }

    private LockBackend backend() {
        for (LockBackend b : ServiceLoader.load(LockBackend.class)) {
            if (b.id().equals(backendId())) {
                return b;
            }
        }
        throw new AssertionError("backend " + backendId() + " not found");
    }

    private OpenPidFile openLocked(LockBackend backend, Path path) throws IOException {
        OpenRequest request = OpenRequest.forLocking(OwnershipPolicy.DEFAULT_MODE);
        OpenPidFile file = closeAfterwards(backend.store().open(path, request));
        Exclusion lock = backend.exclusion(file, request);
        assertTrue(lock.tryLock(), "nobody else holds " + path);
        closeAfterwards(lock::unlock);
        return file;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Each write leaves exactly its content, whether the file held more, less or nothing before.
     *
     * @throws IOException when the store fails
     */
    @Test
    void aWriteLeavesExactlyItsContent() throws IOException {
        LockBackend backend = backend();
        OpenPidFile file = openLocked(backend, pidfile);
        assertArrayEquals(new byte[0], file.read(64), "a new pidfile is empty");
        for (String content : new String[] {"4194304\n", "42\n", "1234567\n", "", "7\n"}) {
            file.write(ascii(content));
            assertArrayEquals(ascii(content), file.read(64), () -> "after writing '" + content + "'");
            assertEquals(content, content(), "what another process reads");
        }
    }

    /**
     * Removal goes only through the path that still names the open file: a replacement is left alone, an absent
     * name is reported, our own file goes.
     *
     * @throws IOException when the store fails
     */
    @Test
    void deleteRemovesOnlyTheFileStillNamedByThePath() throws IOException {
        LockBackend backend = backend();
        OpenPidFile file = openLocked(backend, pidfile);
        Path other = Files.writeString(dir.resolve("other"), "99\n");
        Files.move(other, pidfile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(OpenPidFile.Removal.REPLACED, file.deleteIfStillOurs());
        assertEquals("99\n", Files.readString(pidfile), "the replacement is untouched");
        Files.delete(pidfile);
        assertEquals(OpenPidFile.Removal.ABSENT, file.deleteIfStillOurs());

        Path second = dir.resolve("second.pid");
        OpenPidFile ours = openLocked(backend, second);
        assertEquals(OpenPidFile.Removal.REMOVED, ours.deleteIfStillOurs());
        assertTrue(Files.notExists(second, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The store examines a symlink as a symlink, and names the file it opened by the identity the path shows.
     *
     * @throws IOException when the store fails
     */
    @Test
    void examineNeverFollowsTheLastSymlinkAndAgreesWithTheOpenFile() throws IOException {
        LockBackend backend = backend();
        OpenPidFile file = openLocked(backend, pidfile);
        PathFacts facts = backend.store().examine(pidfile).orElseThrow();
        assertEquals(PathFacts.FileType.REGULAR, facts.type());
        assertEquals(facts.identity(), file.identity());
        Path link = Files.createSymbolicLink(dir.resolve("link.pid"), pidfile);
        assertEquals(PathFacts.FileType.SYMLINK, backend.store().examine(link).orElseThrow().type());
        assertTrue(backend.store().examine(dir.resolve("absent.pid")).isEmpty());
    }

    /** Swaps two names with renameat2(RENAME_EXCHANGE) until killed; says "unavailable" when it cannot. */
    private static final String SWAPPER = String.join("\n",
            "import ctypes, os, sys",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])",
            "if not hasattr(libc, 'renameat2') or libc.renameat2(-100, a, -100, b, 2) != 0:",
            "    print('unavailable', os.strerror(ctypes.get_errno()), flush=True)",
            "    sys.exit(0)",
            "print('ready', flush=True)",
            "while True:",
            "    libc.renameat2(-100, a, -100, b, 2)",
            "");

    /**
     * A process that can write the pidfile's directory swaps the pidfile with a symlink to another file (mode
     * 0600, owned by another user when the test runs as root), again and again, while this JVM acquires it
     * {@code pidlock.test.swapAcquisitions} times (default 10 000) asking for a different mode each time (and, as
     * root, for a different owner): a chmod and a chown every time. The other file's mode, owner, group and
     * content never change: pidlock changes them through the open file, never through the path.
     *
     * @throws Exception when the test cannot set up
     * @since 0.2
     */
    @Test
    void modeAndOwnerNeverReachAFileSwappedInForThePidfile() throws Exception {
        requiresCommand("python3", "swaps the pidfile and a symlink with renameat2(RENAME_EXCHANGE)");
        boolean root = "root".equals(System.getProperty("user.name"));
        int count = Integer.getInteger("pidlock.test.swapAcquisitions", 10_000);
        Path victim = Files.writeString(dir.resolve("victim"), "secret\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        if (root) {
            Files.setAttribute(victim, "unix:uid", 54321, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(victim, "unix:gid", 54321, LinkOption.NOFOLLOW_LINKS);
        }
        String before = victimFacts(victim);
        Files.createFile(pidfile);
        Path link = Files.createSymbolicLink(dir.resolve("link"), victim);
        Process swapper = new ProcessBuilder("python3", "-c", SWAPPER, pidfile.toString(), link.toString())
                .redirectErrorStream(true).start();
        closeAfterwards(() -> {
            swapper.destroyForcibly();
            swapper.waitFor();
        });
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(swapper.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        skipUnless("ready".equals(first), "renameat2(RENAME_EXCHANGE) is unavailable: " + first);
        int acquired = 0;
        for (int i = 0; i < count; i++) {
            PidLock.Builder b = lock().onRelease(ReleaseAction.KEEP)
                    .fileMode(i % 2 == 0 ? "rw-rw-rw-" : "rw-rw-r--"); // a change every time: a chmod every time
            if (root) {
                b.fileOwner(i % 2 == 0 ? "65534" : "0", i % 2 == 0 ? "65534" : "0");
            }
            try (PidLock held = b.acquire()) {
                acquired++;
            } catch (PidLockException refused) {
                // the path named the symlink, or changed meanwhile: refused, as it must be
            }
            assertEquals(before, victimFacts(victim), "the symlink's target after " + (i + 1) + " acquisitions");
        }
        assertTrue(swapper.isAlive(), "the swapper ran throughout");
        assertTrue(acquired > 0, "no acquisition found the regular file in " + count);
        System.out.println("SWAPPED " + backendId() + ": " + acquired + " of " + count + " acquisitions held,"
                + " the symlink's target unchanged (" + before + ")");
    }

    private static String victimFacts(Path victim) throws IOException {
        java.util.Map<String, Object> a = Files.readAttributes(victim, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        return String.format("mode %o uid %s gid %s content %s", (Integer) a.get("mode") & 07777, a.get("uid"),
                a.get("gid"), Files.readString(victim).strip());
    }
}
