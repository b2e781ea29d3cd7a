/**
 * Backend {@code mkdir}: the lock is a directory beside the pidfile, {@code NAME.lock.d}, that appears in one
 * atomic {@code rename(2)} and records its owner (pid, host, boot, pid namespace) in the name of the one entry
 * it holds. It works where byte-range locks do not (NFS without a lock manager, some FUSE file systems); no
 * kernel frees it when its owner dies, so a {@link dev.pidlock.spi.StaleDetector} decides when it may be
 * broken. Found with {@link java.util.ServiceLoader}; exports its package so that an application can pass
 * {@code new MkdirBackend(detector)} to the builder.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @uses dev.pidlock.spi.StaleDetector
 * @since 0.1
 */
module dev.pidlock.example.mkdir {
    requires transitive dev.pidlock.api;

    exports dev.pidlock.example.mkdir;

    uses dev.pidlock.spi.StaleDetector;

    provides dev.pidlock.spi.LockBackend with dev.pidlock.example.mkdir.MkdirBackend;
}
