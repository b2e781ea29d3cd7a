/**
 * A Java program that runs as a daemon guarded by a pidfile, in the manner of Python's daemonocle:
 * {@link dev.pidlock.daemon.Daemon#builder(String)}.
 *
 * @since 0.2
 */
package dev.pidlock.daemon;
