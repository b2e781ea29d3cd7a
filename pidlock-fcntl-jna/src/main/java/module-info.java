/**
 * Backends {@code ofd}, {@code posix}, {@code flock} and {@code ofd+flock} through JNA, and the libc binding
 * shared with {@code dev.pidlock.lockf}. Exports only the binding, and only to the modules that need it:
 * {@code com.sun.jna} reads and writes native memory for it.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @since 0.1
 */
module dev.pidlock.fcntl {
    requires dev.pidlock.api;
    requires com.sun.jna;

    exports dev.pidlock.fcntl.libc to dev.pidlock.lockf, com.sun.jna;

    provides dev.pidlock.spi.LockBackend with
            dev.pidlock.fcntl.OfdFlockBackend,
            dev.pidlock.fcntl.OfdBackend,
            dev.pidlock.fcntl.FlockBackend,
            dev.pidlock.fcntl.PosixBackend;
}
