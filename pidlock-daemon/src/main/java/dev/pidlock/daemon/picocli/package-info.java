/**
 * A daemon's actions as picocli subcommands of the program's own command: {@link
 * dev.pidlock.daemon.picocli.DaemonCommands#addTo(picocli.CommandLine, dev.pidlock.daemon.Daemon)}. Needs picocli,
 * an optional dependency of this module.
 *
 * @since 0.2
 */
package dev.pidlock.daemon.picocli;
