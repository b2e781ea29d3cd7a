package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A lock primitive, found with {@link java.util.ServiceLoader}. A backend provides an id, a priority, an
 * honest availability found by trying once, the capabilities it always has, and a way to open a pidfile
 * safely. pidlock owns what is in the pidfile, its identity checks and its policy; the backend owns how
 * the exclusion is held.
 *
 * <p>Implementations need a public no-argument constructor, must be cheap to construct (probe lazily in
 * {@link #availability()}), and are used from many threads.
 *
 * @since 0.1
 */
public interface LockBackend {

    /**
     * @return the id users select this backend by, for example {@code nio} or {@code ofd+flock}
     * @since 0.1
     */
    String id();

    /**
     * The rank among available backends when the user asks for none: the highest wins.
     *
     * @return the priority; pidlock's own backends use 10 ({@code nio}) to 100 ({@code ofd+flock})
     * @since 0.1
     */
    int priority();

    /**
     * @return what this backend always guarantees on this platform
     * @since 0.1
     */
    Set<Capability> capabilities();

    /**
     * Whether this backend can lock here. Probes for real on the first call and keeps the answer.
     *
     * @return available, or unavailable with a cause
     * @since 0.1
     */
    Availability availability();

    /**
     * @return {@code availability().isAvailable()}
     * @since 0.1
     */
    default boolean isAvailable() {
        return availability().isAvailable();
    }

    /**
     * Opens the pidfile at {@code path} safely: never follows a symlink in the last component, never blocks
     * on a FIFO, refuses anything but a regular file, never truncates. When {@code request.forLocking()} and
     * the file is absent, creates it.
     *
     * @param path    the pidfile
     * @param request how to open it
     * @return an open handle, not yet locked
     * @throws java.nio.file.NoSuchFileException when inspecting and the file is absent
     * @throws UnsafeFileException when the path names something that is not a regular file
     * @throws IOException on any other failure
     * @since 0.1
     */
    PidFileHandle open(Path path, OpenRequest request) throws IOException;

    /**
     * Examines {@code path} without following a final symlink, as {@code lstat(2)} does. pidlock calls it on every
     * acquire before opening (what is there? which file?), after locking (does the path still name the locked
     * file?) and before deleting. The default reads the JDK's {@code unix:} attribute view
     * ({@link PathFacts#read}); a native backend may answer with one system call.
     *
     * @param path what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when it cannot be examined
     * @since 0.1
     */
    default Optional<PathFacts> examine(Path path) throws IOException {
        return PathFacts.read(path);
    }
}
