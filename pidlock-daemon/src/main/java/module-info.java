/**
 * Makes a Java program a daemon guarded by a pidfile: {@code start}, {@code stop}, {@code restart}, {@code status},
 * {@code reload}, its own actions, and a shutdown callback called once on every catchable end. See {@link
 * dev.pidlock.daemon.Daemon}. Signals go through process descriptors and a reload {@code exec}s the program again,
 * both through the native binding of {@code dev.pidlock.fcntl} (JNA), which this module therefore needs at run
 * time. With picocli (an optional dependency: {@code requires static}), {@link
 * dev.pidlock.daemon.picocli.DaemonCommands} makes the actions subcommands of the program's own command.
 *
 * @since 0.2
 */
module dev.pidlock.daemon {
    requires transitive dev.pidlock.api;
    requires dev.pidlock.fcntl;
    requires jdk.unsupported; // sun.misc.Signal: SIGTERM, SIGINT and the reload signal
    requires static info.picocli;

    exports dev.pidlock.daemon;
    exports dev.pidlock.daemon.picocli;
}
