/**
 * Backends {@code ofd}, {@code posix}, {@code flock} and {@code ofd+flock} through JNA, the libc binding
 * shared with {@code dev.pidlock.lockf}, process spawning with the lock descriptor for the
 * {@code pidlock} command, and the verified stop of a lock's holders for the command and
 * {@code dev.pidlock.daemon}. Exports the binding and spawning only to the modules that need them:
 * {@code com.sun.jna} reads and writes native memory for both.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @since 0.1
 */
module dev.pidlock.fcntl {
    requires dev.pidlock.api;
    requires com.sun.jna;

    exports dev.pidlock.fcntl.libc to dev.pidlock.lockf, com.sun.jna;
    exports dev.pidlock.fcntl.spawn to dev.pidlock.cli, dev.pidlock.daemon, com.sun.jna;

    provides dev.pidlock.spi.LockBackend with
            dev.pidlock.fcntl.OfdFlockBackend,
            dev.pidlock.fcntl.OfdBackend,
            dev.pidlock.fcntl.FlockBackend,
            dev.pidlock.fcntl.PosixBackend;
}
