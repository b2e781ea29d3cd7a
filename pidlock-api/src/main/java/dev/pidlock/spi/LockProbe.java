package dev.pidlock.spi;

import java.util.OptionalLong;

/**
 * What a backend saw when it looked at a lock without taking it.
 *
 * @param state     free, held, or unknown when the backend cannot tell
 * @param holderPid the holder's pid when the kernel names it
 * @since 0.1
 */
public record LockProbe(State state, OptionalLong holderPid) {

    /**
     * The states a probe can report.
     *
     * @since 0.1
     */
    public enum State {
        /**
         * Nobody holds the lock.
         *
         * @since 0.1
         */
        FREE,
        /**
         * Another process, or another open file description, holds it.
         *
         * @since 0.1
         */
        HELD,
        /**
         * The backend cannot tell without acquiring.
         *
         * @since 0.1
         */
        UNKNOWN
    }

    /**
     * @return a probe that found the lock free
     * @since 0.1
     */
    public static LockProbe free() {
        return new LockProbe(State.FREE, OptionalLong.empty());
    }

    /**
     * @return a probe that found the lock held, by an unknown pid
     * @since 0.1
     */
    public static LockProbe held() {
        return new LockProbe(State.HELD, OptionalLong.empty());
    }

    /**
     * @param pid the holder's pid as the kernel reported it
     * @return a probe that found the lock held by {@code pid}
     * @since 0.1
     */
    public static LockProbe heldBy(long pid) {
        return new LockProbe(State.HELD, OptionalLong.of(pid));
    }

    /**
     * @return a probe that could not tell
     * @since 0.1
     */
    public static LockProbe unknown() {
        return new LockProbe(State.UNKNOWN, OptionalLong.empty());
    }
}
