/**
 * Backend {@code nio}: java.nio {@link java.nio.channels.FileChannel} locks (POSIX {@code fcntl} on Unix).
 * The portable fallback. Exports nothing; found with {@link java.util.ServiceLoader}.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @since 0.1
 */
module dev.pidlock.nio {
    requires dev.pidlock.api;

    provides dev.pidlock.spi.LockBackend with dev.pidlock.nio.NioBackend;
}
