/**
 * pidlock's API, its service provider interfaces, the acquisition algorithm, the in-JVM registry and
 * process inspection. Depends on the JDK only; backends are found with {@link java.util.ServiceLoader}. Its one
 * reader of Linux's {@code /proc} is exported only to the native backends, the command and the daemon module,
 * which read it too.
 *
 * @uses dev.pidlock.spi.LockBackend
 * @uses dev.pidlock.spi.StaleDetector
 * @uses dev.pidlock.spi.OwnershipPolicy
 * @since 0.1
 */
module dev.pidlock.api {
    exports dev.pidlock;
    exports dev.pidlock.spi;
    exports dev.pidlock.internal.proc to dev.pidlock.fcntl, dev.pidlock.cli, dev.pidlock.daemon;

    uses dev.pidlock.spi.LockBackend;
    uses dev.pidlock.spi.StaleDetector;
    uses dev.pidlock.spi.OwnershipPolicy;
}
