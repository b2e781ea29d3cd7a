/**
 * Backend {@code lockf}: the pidfile is created with {@code open(O_CREAT|O_EXCL)} and locked with
 * {@code lockf(F_TLOCK)}, through the libc binding of {@code dev.pidlock.fcntl}. Exports nothing; found with
 * {@link java.util.ServiceLoader}.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @since 0.1
 */
module dev.pidlock.lockf {
    requires dev.pidlock.api;
    requires dev.pidlock.fcntl;

    provides dev.pidlock.spi.LockBackend with dev.pidlock.lockf.LockfBackend;
}
