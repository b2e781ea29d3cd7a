package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a pidfile's content lives and how it is opened safely: the half of a backend that is not the lock.
 * pidlock reads and writes the pidfile, checks its identity and removes it through the store; the
 * {@link LockBackend} only takes, probes and gives up its {@link Exclusion}.
 *
 * <p>Most backends need no store of their own: {@link #nio()} opens the pidfile through java.nio, and the
 * native backends share a store over the open descriptor. A backend whose exclusion is not a lock on the
 * pidfile's descriptor (a lock directory beside it, a key on a coordination service) keeps the default and
 * implements only its {@link Exclusion}.
 *
 * <p>Implementations are used from many threads; an {@link OpenPidFile} by one thread at a time.
 *
 * @since 0.2
 */
public interface PidFileStore {

    /**
     * Examines {@code path} without following a final symlink, as {@code lstat(2)} does. pidlock calls it on
     * every acquire before opening (what is there? which file?), after locking (does the path still name the
     * locked file?) and before deleting.
     *
     * @param path what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when it cannot be examined
     * @since 0.2
     */
    Optional<PathFacts> examine(Path path) throws IOException;

    /**
     * Examines the directory that holds the pidfile, following symlinks, as {@code stat(2)} does: pidlock calls
     * it on every acquire to vet the directory (a directory? writable by others without the sticky bit?). The
     * default asks the JDK ({@link PathFacts#readFollowing}); a store with its own system calls may answer
     * with one {@code stat}.
     *
     * @param dir the directory
     * @return its facts, or empty when nothing is there
     * @throws IOException when it cannot be examined
     * @since 0.2
     */
    default Optional<PathFacts> examineFollowing(Path dir) throws IOException {
        return PathFacts.readFollowing(dir);
    }

    /**
     * Opens the pidfile at {@code path} safely: never follows a symlink in the last component, never blocks
     * on a FIFO, refuses anything but a regular file, never truncates. When {@code request.forLocking()} and
     * the file is absent, creates it with {@code request.createMode()}.
     *
     * @param path    the pidfile
     * @param request how to open it
     * @return the open pidfile, not yet locked
     * @throws java.nio.file.NoSuchFileException when inspecting and the file is absent
     * @throws UnsafeFileException when the path names something that is not a regular file
     * @throws IOException on any other failure
     * @since 0.2
     */
    OpenPidFile open(Path path, OpenRequest request) throws IOException;

    /**
     * @return the store over java.nio, which any platform with Unix file attributes has: the open file's
     *         identity inferred from {@code lstat} before and after opening, the mode set by path after checking
     *         that the path still names the open file
     * @since 0.2
     */
    static PidFileStore nio() {
        return NioPidFileStore.INSTANCE;
    }
}
