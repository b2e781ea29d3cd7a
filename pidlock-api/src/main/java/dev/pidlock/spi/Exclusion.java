package dev.pidlock.spi;

import java.io.IOException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The exclusion a {@link LockBackend} holds for one {@link OpenPidFile}: the lock itself, nothing else. It may
 * be a lock on the file's descriptor, a directory beside it or a key on a coordination service; pidlock
 * calls it from one thread at a time and never writes the pidfile unless {@link #tryLock()} or
 * {@link #lock(Duration)} said yes.
 *
 * @since 0.2
 */
public interface Exclusion {

    /**
     * Takes the exclusion without waiting.
     *
     * @return true when taken; false when someone else holds it
     * @throws IOException on any failure other than contention
     * @since 0.2
     */
    boolean tryLock() throws IOException;

    /**
     * Takes the exclusion, waiting at most {@code timeout}. The default retries {@link #tryLock()} with pauses
     * that double from 20 µs to 50 ms: after the first tenth of a second the waiter wakes 20 times a second, and
     * the hand-over takes up to 50 ms more than the kernel needs. A backend that can sleep until a release (a
     * blocking kernel call, or events on the pidfile) overrides it. An implementation must answer
     * {@link Thread#interrupt()}.
     *
     * @param timeout how long to wait at most; zero means do not wait
     * @return true when taken; false when the timeout passed first
     * @throws IOException          on any failure other than contention
     * @throws InterruptedException when the waiting thread was interrupted
     * @since 0.2
     */
    default boolean lock(Duration timeout) throws IOException, InterruptedException {
        return RetryingWait.lock(this::tryLock, timeout);
    }

    /**
     * Looks at the exclusion without taking it.
     *
     * @return free, held (with the holder pid when the kernel knows it), or unknown
     * @throws IOException when the probe itself fails
     * @since 0.2
     */
    LockProbe probe() throws IOException;

    /**
     * Gives the exclusion up. Called at most once per successful lock, before the file is closed; does nothing
     * when it is not held.
     *
     * @throws IOException when unlocking fails
     * @since 0.2
     */
    void unlock() throws IOException;

    /**
     * Whether closing the pidfile's descriptor gives the exclusion up by itself when no other process shares
     * that descriptor: true for a kernel lock on the descriptor ({@code flock}, OFD and POSIX {@code fcntl}
     * locks). pidlock then releases a lock whose descriptor was never inheritable by closing it, without the
     * {@link #unlock()} calls before (an unlock of a lock another process shares would drop it for that process
     * too, which a close never does). The default, false, always unlocks before closing.
     *
     * @return whether {@code close} alone releases
     * @since 0.2
     */
    default boolean releasedByClose() {
        return false;
    }

    /**
     * The fencing token of the exclusion while it is taken: a number that grows strictly from one holder to
     * the next, which a holder can pass to the storage it writes so that the storage refuses a holder that lost
     * the lock meanwhile. The default has none.
     *
     * @return the token of the current holding; empty when not taken or when the backend has none
     * @since 0.2
     */
    default OptionalLong fencingToken() {
        return OptionalLong.empty();
    }

    /**
     * Whether an exclusion that was taken has been lost while held (a lease that expired, see
     * {@link Capability#LEASED}). Once true, it stays true for this holding. Called from any thread. The default,
     * for a lock that is only ever given up by {@link #unlock()}, is false.
     *
     * @return whether the holding was lost
     * @since 0.2
     */
    default boolean lost() {
        return false;
    }

    /**
     * Registers {@code listener} to be run once when the holding is lost: on a thread of the backend, or at once
     * in the calling thread when it is lost already. Called from any thread. The default never runs it, since the
     * default exclusion is never lost.
     *
     * @param listener what to run
     * @since 0.2
     */
    default void onLost(Runnable listener) {
        // never lost
    }
}
