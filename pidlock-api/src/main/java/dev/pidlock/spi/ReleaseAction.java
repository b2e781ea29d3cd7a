package dev.pidlock.spi;

/**
 * What release does to the pidfile before the lock is given up.
 *
 * @since 0.1
 */
public enum ReleaseAction {
    /**
     * Remove the file, but only while still holding the lock and only if the path still names our inode.
     *
     * @since 0.1
     */
    DELETE,
    /**
     * Leave the file in place, empty.
     *
     * @since 0.1
     */
    TRUNCATE,
    /**
     * Leave the file and its pid in place (a later acquirer takes it over as stale).
     *
     * @since 0.1
     */
    KEEP
}
