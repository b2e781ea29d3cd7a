/**
 * Makes a Java program a daemon guarded by a pidfile: {@code start}, {@code status}, its own actions, and a
 * shutdown callback called once on every catchable end. See {@link dev.pidlock.daemon.Daemon}. Signals go
 * through process descriptors and a reload {@code exec}s the program again, both through the native binding of
 * {@code dev.pidlock.fcntl} (JNA), which this module therefore needs at run time.
 *
 * @since 0.2
 */
module dev.pidlock.daemon {
    requires transitive dev.pidlock.api;
    requires dev.pidlock.fcntl;

    exports dev.pidlock.daemon;
}
