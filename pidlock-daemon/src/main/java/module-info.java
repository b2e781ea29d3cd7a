/**
 * Makes a Java program a daemon guarded by a pidfile: {@code start}, {@code status}, its own actions, and a
 * shutdown callback called once on every catchable end. See {@link dev.pidlock.daemon.Daemon}.
 *
 * @since 0.2
 */
module dev.pidlock.daemon {
    requires transitive dev.pidlock.api;

    exports dev.pidlock.daemon;
}
