package dev.pidlock.daemon;

/**
 * The daemon's work, run while it holds its pidfile's lock. Returning ends the daemon normally; throwing ends it
 * with code 1.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface Worker {
    /**
     * Does the work.
     *
     * @throws Exception anything: it is logged with its stack trace and ends the daemon with code 1
     * @since 0.2
     */
    void run() throws Exception;
}
