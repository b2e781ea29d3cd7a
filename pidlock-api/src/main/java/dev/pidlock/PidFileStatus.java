package dev.pidlock;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a pidfile says about who is running, read without acquiring it. For a locked pidfile the kernel
 * decides: its holders are the processes that hold the lock on the file's inode, and the pid written in the
 * file is believed only when it is one of them ({@link #pidConfirmed()}).
 *
 * @param path        the pidfile
 * @param state       absent, running, stale or unknown
 * @param pid         the process that runs: for a locked pidfile a holder (the one the file names, when the
 *                    kernel confirms it; otherwise the oldest holder), else the pid the file names
 * @param lock        whether its lock is held
 * @param process     that process, when it exists
 * @param detail      why the state is what it is, in one line; it states any mismatch between the file and
 *                    the kernel
 * @param holders     the processes the kernel shows holding the lock, ascending; empty when the lock is free or
 *                    the kernel cannot name them (no {@code /proc}, a backend whose lock is not a kernel lock). In
 *                    a status from {@link PidLock#inspect()} whose pid the kernel confirmed, the other holders are
 *                    read from {@code /proc} when this list is first looked at (the walk of every process's
 *                    descriptors is paid only when asked): a holder that has let go by then is not in it
 * @param recordedPid the pid written in the file, when it names one
 * @param host         the holder's host, for a lock that lives off this host (a key on a cluster, see
 *                     {@link dev.pidlock.spi.Capability#LEASED}) whose holder records it; empty for a kernel lock.
 *                     When it is another host, {@link #pid()} is that host's pid and {@link #process()} is empty:
 *                     another host's process is never looked at here. Since 0.2
 * @param fencingToken the fencing token of the current holding, when the backend has one and reports it. Since 0.2
 * @since 0.1
 */
public record PidFileStatus(Path path, State state, OptionalLong pid, LockState lock,
                            Optional<ProcessInfo> process, String detail, List<Long> holders,
                            OptionalLong recordedPid, Optional<String> host, OptionalLong fencingToken) {

    /**
     * A status with every list copied.
     *
     * @since 0.2
     */
    public PidFileStatus {
        holders = holders instanceof KernelHolders ? holders : List.copyOf(holders);
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(fencingToken, "fencingToken");
    }

    /**
     * A status without a holder's host or fencing token: a lock in this host's kernel.
     *
     * @param path        the pidfile
     * @param state       absent, running, stale or unknown
     * @param pid         the process that runs
     * @param lock        whether its lock is held
     * @param process     that process, when it exists
     * @param detail      why, in one line
     * @param holders     the processes the kernel shows holding the lock
     * @param recordedPid the pid written in the file, when it names one
     * @since 0.2
     */
    public PidFileStatus(Path path, State state, OptionalLong pid, LockState lock, Optional<ProcessInfo> process,
                         String detail, List<Long> holders, OptionalLong recordedPid) {
        this(path, state, pid, lock, process, detail, holders, recordedPid, Optional.empty(), OptionalLong.empty());
    }

    /**
     * A status without kernel holders, whose recorded pid is {@code pid}.
     *
     * @param path    the pidfile
     * @param state   absent, running, stale or unknown
     * @param pid     the pid it names
     * @param lock    whether its lock is held
     * @param process the named process
     * @param detail  why, in one line
     * @since 0.1
     */
    public PidFileStatus(Path path, State state, OptionalLong pid, LockState lock, Optional<ProcessInfo> process,
                         String detail) {
        this(path, state, pid, lock, process, detail, List.of(), pid);
    }

    /**
     * Whether the kernel confirms the pid written in the file: it is one of the {@link #holders()}.
     *
     * @return true when the file's pid holds the lock
     * @since 0.2
     */
    public boolean pidConfirmed() {
        return recordedPid.isPresent() && holders.contains(recordedPid.getAsLong());
    }

    /**
     * What a pidfile's state can be.
     *
     * @since 0.1
     */
    public enum State {
        /**
         * There is no pidfile.
         *
         * @since 0.1
         */
        ABSENT,
        /**
         * It is locked, or names a live process that may have written it.
         *
         * @since 0.1
         */
        RUNNING,
        /**
         * It is not locked and names no live holder: the next acquirer takes it over.
         *
         * @since 0.1
         */
        STALE,
        /**
         * It could not be read or is not a regular file.
         *
         * @since 0.1
         */
        UNKNOWN
    }

    /**
     * Whether the pidfile's lock is held.
     *
     * @since 0.1
     */
    public enum LockState {
        /**
         * Held by a process (possibly this one).
         *
         * @since 0.1
         */
        LOCKED,
        /**
         * Not held.
         *
         * @since 0.1
         */
        UNLOCKED,
        /**
         * The backend cannot tell without acquiring, or nothing could be probed.
         *
         * @since 0.1
         */
        UNKNOWN
    }
}
