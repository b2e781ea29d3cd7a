package dev.pidlock;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a pidfile says about who is running, read without acquiring it.
 *
 * @param path    the pidfile
 * @param state   absent, running, stale or unknown
 * @param pid     the pid it names, when it names one
 * @param lock    whether its lock is held
 * @param process the named process, when it names one that exists
 * @param detail  why the state is what it is, in one line
 * @since 0.1
 */
public record PidFileStatus(Path path, State state, OptionalLong pid, LockState lock,
                            Optional<ProcessInfo> process, String detail) {

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
