package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
}
