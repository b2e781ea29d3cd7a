/**
 * Starting a command with the lock descriptor left open in it, a clean signal state and optionally its own
 * session, through {@code posix_spawn(3)} on the libc binding of {@link dev.pidlock.fcntl.libc}; entry point
 * {@link dev.pidlock.fcntl.spawn.Spawn}; process descriptors ({@link dev.pidlock.fcntl.spawn.Pidfd}) and the
 * verified stop of a lock's holders through them ({@link dev.pidlock.fcntl.spawn.HolderStop}). Exported only to
 * the modules that start and stop commands.
 */
package dev.pidlock.fcntl.spawn;
