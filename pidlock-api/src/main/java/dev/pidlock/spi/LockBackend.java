package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A lock primitive, found with {@link java.util.ServiceLoader}. A backend provides an id, a priority, an
 * honest availability found by trying once, the capabilities it always has, and the {@link Exclusion} for an
 * open pidfile: how the exclusion is held, and nothing else. pidlock owns what is in the pidfile, its
 * identity checks and its policy, through a {@link PidFileStore}: {@link PidFileStore#nio()} unless the
 * backend names its own.
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
     * The store the pidfile is opened, read and written through. The default is {@link PidFileStore#nio()};
     * a backend whose exclusion is a lock on a descriptor returns the store that opens that descriptor.
     *
     * @return the store; the same one on every call
     * @since 0.2
     */
    default PidFileStore store() {
        return PidFileStore.nio();
    }

    /**
     * The exclusion for one pidfile that {@link #store()} opened (pidlock never passes a file of another
     * store). Not taken yet: pidlock calls {@link Exclusion#tryLock()} or {@link Exclusion#lock} next, or only
     * {@link Exclusion#probe()} to inspect.
     *
     * @param file    the open pidfile
     * @param request what the file was opened for, as it was passed to {@link PidFileStore#open}: a backend
     *                whose lock lives beside the file (a directory, a key) creates it with
     *                {@link OpenRequest#createMode()}
     * @return its exclusion, not taken
     * @throws IOException when the backend is unavailable or cannot lock this file
     * @since 0.2
     */
    Exclusion exclusion(OpenPidFile file, OpenRequest request) throws IOException;

    /**
     * Looks at the lock of {@code pidfile} without opening the pidfile: for a lock that does not live in this
     * host's file (a key on a coordination service, {@link Capability#LEASED}), which another host, or a pidfile
     * of the same name in another directory, may hold while the local file is absent. Inspection asks this first;
     * a held lock whose {@link LockProbe#holder()} is not of this host is reported as running there. The default,
     * for a lock that lives on the pidfile, is empty: inspection opens the file and asks its
     * {@link Exclusion#probe()}.
     *
     * @param pidfile the pidfile whose lock to look at; it need not exist
     * @return what the backend saw, with the holder it records when held; empty when it can only probe an open
     *         pidfile
     * @throws IOException when the backend cannot tell (unavailable, the cluster out of reach)
     * @since 0.2
     */
    default Optional<LockProbe> probe(Path pidfile) throws IOException {
        return Optional.empty();
    }
}
