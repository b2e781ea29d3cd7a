/**
 * Starting a command with the lock descriptor left open in it, a clean signal state and optionally its own
 * session, through {@code posix_spawn(3)} on the libc binding of {@link dev.pidlock.fcntl.libc}; entry point
 * {@link dev.pidlock.fcntl.spawn.Spawn}. Exported only to the modules that start commands.
 */
package dev.pidlock.fcntl.spawn;
