package dev.pidlock.spi;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A timed, interruptible wait for a lock whose kernel call cannot be given a timeout or interrupted from
 * Java, when nothing tells the waiter of a release: the non-blocking attempt is retried with pauses that double
 * from 20 µs to 50 ms. After the first tenth of a second that is 20 wake-ups a second, and a hand-over takes up
 * to 50 ms more than the kernel needs.
 */
final class RetryingWait {
    /** The first pause. */
    static final long FIRST_PAUSE_NANOS = 20_000;
    /** The longest pause. */
    static final long LONGEST_PAUSE_NANOS = 50_000_000;

    /** One non-blocking attempt. */
    @FunctionalInterface
    interface Attempt {
        /**
         * @return true when the lock was taken
         * @throws IOException on any failure other than contention
         */
        boolean tryLock() throws IOException;
    }

    private RetryingWait() {
    }

    /**
     * @param attempt what to retry
     * @param timeout how long to wait at most
     * @return true when taken, false when the timeout passed first
     * @throws IOException          when an attempt fails
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    static boolean lock(Attempt attempt, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            if (attempt.tryLock()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for a lock");
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }
}
