package dev.pidlock.spi;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One pidfile opened by a {@link PidFileStore}: its identity, its content, its mode and owner, and its name
 * in the directory. pidlock calls these from one thread at a time, in the order of the acquisition
 * algorithm, and writes only while the {@link Exclusion} is held.
 *
 * @since 0.2
 */
public interface OpenPidFile extends Closeable {

    /**
     * @return the path this file was opened at
     * @since 0.2
     */
    Path path();

    /**
     * @return the device and inode of the open file (from the descriptor where the store can)
     * @throws UncertainIdentityException when the store infers the identity from the path and the path changed
     *                                    while the file was being opened
     * @throws IOException                when it cannot be read
     * @since 0.2
     */
    FileIdentity identity() throws IOException;

    /**
     * Reads the pidfile from its start.
     *
     * @param limit the most bytes to return
     * @return at most {@code limit} bytes
     * @throws IOException when reading fails
     * @since 0.2
     */
    byte[] read(int limit) throws IOException;

    /**
     * Makes {@code content} the pidfile's whole content: writes it in place from offset 0, then cuts what
     * followed it, only when the file was longer. An empty file is never truncated, and content no longer than
     * what was there needs no new block (a full disk cannot leave the file empty). Called only while the
     * exclusion is held.
     *
     * @param content the new content
     * @throws IOException when writing fails
     * @since 0.2
     */
    void write(byte[] content) throws IOException;

    /**
     * Sets the pidfile's permission bits, whatever the umask.
     *
     * @param mode the permissions to set
     * @throws IOException when they cannot be set
     * @since 0.2
     */
    void setMode(Set<PosixFilePermission> mode) throws IOException;

    /**
     * Changes the pidfile's owner and group.
     *
     * @param owner the user name, or null to leave it
     * @param group the group name, or null to leave it
     * @throws IOException when they cannot be changed
     * @since 0.2
     */
    void setOwner(String owner, String group) throws IOException;

    /**
     * Removes the pidfile's name from its directory if, and only if, the path still names this open file.
     * pidlock calls it while the exclusion is held.
     *
     * @return what was found at the path, and so whether the name was removed
     * @throws IOException when it cannot be examined or removed
     * @since 0.2
     */
    Removal deleteIfStillOurs() throws IOException;

    /**
     * The descriptor of the open file, for passing the lock to a child across {@code exec} (as {@code flock
     * --no-fork} does). Only meaningful for a file opened with {@link OpenRequest#inheritable()} by a store over
     * descriptors.
     *
     * @return the descriptor number, or empty when there is none to pass
     * @since 0.2
     */
    default OptionalInt descriptor() {
        return OptionalInt.empty();
    }

    /**
     * Closes the file. A process-scoped lock on it (POSIX {@code fcntl}) ends with any descriptor's close;
     * pidlock's registry never closes a descriptor of a file this JVM locks through another.
     *
     * @throws IOException when closing fails
     * @since 0.2
     */
    @Override
    void close() throws IOException;

    /**
     * What {@link #deleteIfStillOurs()} found at the path.
     *
     * @since 0.2
     */
    enum Removal {
        /**
         * The path named this file, and the name was removed.
         *
         * @since 0.2
         */
        REMOVED,
        /**
         * Nothing was at the path any more.
         *
         * @since 0.2
         */
        ABSENT,
        /**
         * The path names another file now; it was left alone.
         *
         * @since 0.2
         */
        REPLACED
    }
}
