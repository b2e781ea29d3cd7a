/**
 * The pidlock API, entered at {@link dev.pidlock.PidLock}: run a program, a job or a block of code at most
 * once at a time on a host, and tell who is running. Inspect a pidfile without acquiring it with
 * {@link dev.pidlock.PidFiles#inspect(java.nio.file.Path)}.
 *
 * @since 0.1
 */
package dev.pidlock;
