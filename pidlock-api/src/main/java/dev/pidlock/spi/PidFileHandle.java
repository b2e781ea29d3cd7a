package dev.pidlock.spi;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

/**
 * One open pidfile and the exclusion a backend holds for it. pidlock calls these methods from one thread
 * at a time, in the order of the acquisition algorithm: identity, lock, identity again, read, write, and
 * at the end unlock and close. Content methods act on the pidfile itself; how the exclusion is held (a
 * lock on this descriptor, a directory beside the file, a node on a coordination service) is the backend's
 * business.
 *
 * <p>pidlock never opens a second handle of a file it holds in the same JVM, so a backend whose lock is
 * dropped when any descriptor of the file closes (POSIX {@code fcntl}) is safe.
 *
 * @since 0.1
 */
public interface PidFileHandle extends Closeable {

    /**
     * @return the path this handle was opened at
     * @since 0.1
     */
    Path path();

    /**
     * @return the device and inode of the open file (from the descriptor where the backend can)
     * @throws IOException when it cannot be read
     * @since 0.1
     */
    FileIdentity identity() throws IOException;

    /**
     * Takes the exclusion without waiting.
     *
     * @return true when taken; false when someone else holds it
     * @throws IOException on any failure other than contention
     * @since 0.1
     */
    boolean tryLock() throws IOException;

    /**
     * Takes the exclusion, waiting at most {@code timeout}. A waiting implementation must not spin a core,
     * must hand over fast when the holder releases, and must answer {@link Thread#interrupt()}.
     *
     * @param timeout how long to wait at most; zero means do not wait
     * @return true when taken; false when the timeout passed first
     * @throws IOException          on any failure other than contention
     * @throws InterruptedException when the waiting thread was interrupted; the handle is then closed
     * @since 0.1
     */
    boolean lock(Duration timeout) throws IOException, InterruptedException;

    /**
     * Looks at the exclusion without taking it.
     *
     * @return free, held (with the holder pid when the kernel knows it), or unknown
     * @throws IOException when the probe itself fails
     * @since 0.1
     */
    LockProbe probe() throws IOException;

    /**
     * Gives the exclusion up. Called once, before {@link #close()}, only after a successful lock.
     *
     * @throws IOException when unlocking fails
     * @since 0.1
     */
    void unlock() throws IOException;

    /**
     * Reads the pidfile from its start.
     *
     * @param limit the most bytes to return
     * @return at most {@code limit} bytes
     * @throws IOException when reading fails
     * @since 0.1
     */
    byte[] read(int limit) throws IOException;

    /**
     * Replaces the pidfile's content: truncates it and writes {@code content} from offset 0. Called only
     * while the exclusion is held.
     *
     * @param content the new content
     * @throws IOException when writing fails
     * @since 0.1
     */
    void replaceContent(byte[] content) throws IOException;

    /**
     * Sets the pidfile's permission bits, whatever the umask.
     *
     * @param mode the permissions to set
     * @throws IOException when they cannot be set
     * @since 0.1
     */
    void setMode(Set<PosixFilePermission> mode) throws IOException;

    /**
     * Changes the pidfile's owner and group.
     *
     * @param owner the user name, or null to leave it
     * @param group the group name, or null to leave it
     * @throws IOException when they cannot be changed
     * @since 0.1
     */
    void setOwner(String owner, String group) throws IOException;

    /**
     * The descriptor that holds the lock, for passing it to a child across {@code exec} (as {@code flock
     * --no-fork} does). Only meaningful for a handle opened with {@link OpenRequest#inheritable()} by a backend
     * that declares {@link Capability#INHERITABLE_ACROSS_EXEC}.
     *
     * @return the descriptor number, or empty when the backend has none to pass
     * @since 0.1
     */
    default java.util.OptionalInt descriptor() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Removes the pidfile's name from its directory. pidlock calls it while the lock is held, right after checking
     * that the path still names this handle's file. The default goes through {@link java.nio.file.Files#delete},
     * which examines the path once more before unlinking; a native backend unlinks in one call.
     *
     * @throws java.nio.file.NoSuchFileException when nothing is there any more
     * @throws IOException                        when it cannot be removed
     * @since 0.1
     */
    default void deletePath() throws IOException {
        java.nio.file.Files.delete(path());
    }

    /**
     * Closes the handle. Releases the exclusion if it is still held.
     *
     * @throws IOException when closing fails
     * @since 0.1
     */
    @Override
    void close() throws IOException;
}
