package dev.pidlock.daemon;

/**
 * Called exactly once when the daemon ends in a way the JVM can catch, before its lock is released and its
 * pidfile removed.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface ShutdownCallback {
    /**
     * @param message why, for example {@code Terminated by SIGTERM (15)}
     * @param code    the exit code the daemon ends with; {@link Daemon#UNKNOWN_CODE} after {@code System.exit}
     * @since 0.2
     */
    void onShutdown(String message, int code);
}
