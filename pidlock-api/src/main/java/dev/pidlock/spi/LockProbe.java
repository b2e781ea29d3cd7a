package dev.pidlock.spi;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a backend saw when it looked at a lock without taking it.
 *
 * @param state     free, held, or unknown when the backend cannot tell
 * @param holderPid the holder's pid when the kernel names it (or, for a lock off the kernel, when the holder is a
 *                  process of this host)
 * @param holder    the holder as a lock that lives off this host records it (host, pid, start time, boot id,
 *                  fencing token); empty for a kernel lock, which names at most a pid. Since 0.2
 * @since 0.1
 */
public record LockProbe(State state, OptionalLong holderPid, Optional<LockHolder> holder) {

    /**
     * A probe; a holder is named only for a held lock.
     *
     * @since 0.2
     */
    public LockProbe {
        Objects.requireNonNull(holder, "holder");
    }

    /**
     * A probe without a holder description, as a kernel lock reports it.
     *
     * @param state     free, held, or unknown
     * @param holderPid the holder's pid when the kernel names it
     * @since 0.1
     */
    public LockProbe(State state, OptionalLong holderPid) {
        this(state, holderPid, Optional.empty());
    }

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
     * A held lock whose holder the lock records (a lock that lives off this host). Its {@link #holderPid()} is the
     * holder's pid only when {@link LockHolder#thisHost()}: another host's pid means nothing here.
     *
     * @param holder who holds it, as recorded
     * @return a probe that found the lock held by {@code holder}
     * @since 0.2
     */
    public static LockProbe heldBy(LockHolder holder) {
        return new LockProbe(State.HELD, holder.thisHost() ? OptionalLong.of(holder.pid()) : OptionalLong.empty(),
                Optional.of(holder));
    }

    /**
     * @return a probe that could not tell
     * @since 0.1
     */
    public static LockProbe unknown() {
        return new LockProbe(State.UNKNOWN, OptionalLong.empty());
    }
}
