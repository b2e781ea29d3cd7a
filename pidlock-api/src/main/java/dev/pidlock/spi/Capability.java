package dev.pidlock.spi;

/**
 * A guarantee a {@link LockBackend} declares, so that callers can require it and selection can explain
 * why a backend was skipped. A backend declares only what it always provides on the running platform.
 *
 * @since 0.1
 */
public enum Capability {
    /**
     * The kernel releases the lock when the holding process dies, even by SIGKILL.
     *
     * @since 0.1
     */
    RELEASED_ON_PROCESS_DEATH,
    /**
     * The lock belongs to the open file description; closing another descriptor does not drop it.
     *
     * @since 0.1
     */
    OPEN_FILE_DESCRIPTION_SCOPE,
    /**
     * The lock belongs to the process; closing any descriptor of the file in the process drops it.
     *
     * @since 0.1
     */
    PROCESS_SCOPE,
    /**
     * Conflicts with {@code flock(2)} users: util-linux {@code flock(1)}, BSD {@code pidfile(3)}, Python {@code pid}.
     *
     * @since 0.1
     */
    CONFLICTS_WITH_FLOCK,
    /**
     * Conflicts with POSIX and OFD {@code fcntl} users, {@code lockf(3)} and java.nio locks.
     *
     * @since 0.1
     */
    CONFLICTS_WITH_FCNTL,
    /**
     * A probe can name the holder's pid from the kernel, not only from the file's content.
     *
     * @since 0.1
     */
    REPORTS_HOLDER_PID,
    /**
     * Waits for the lock in the kernel (no polling), so a release wakes the waiter at once.
     *
     * @since 0.1
     */
    BLOCKING_WAIT,
    /**
     * Can tell whether the lock is held without taking it.
     *
     * @since 0.1
     */
    PROBE_WITHOUT_ACQUIRING,
    /**
     * The locked descriptor can be passed to a child across {@code exec}, which then holds the lock.
     *
     * @since 0.1
     */
    INHERITABLE_ACROSS_EXEC,
    /**
     * The identity of the open file is read from the descriptor ({@code fstat}), not inferred from the path.
     *
     * @since 0.1
     */
    IDENTITY_FROM_DESCRIPTOR,
    /**
     * Mode and owner are set through the descriptor ({@code fchmod}/{@code fchown}), never through the path.
     *
     * @since 0.1
     */
    MODE_THROUGH_DESCRIPTOR,
    /**
     * The lock is a lease that its holder keeps alive, and can be lost while held: a partition, a stopped
     * process or a long pause that outlasts the lease lets another process take it. The holder learns it
     * through {@link dev.pidlock.PidLock#isHeld()} and {@link dev.pidlock.PidLock#onLost(Runnable)}.
     *
     * @since 0.2
     */
    LEASED
}
