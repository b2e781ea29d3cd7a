/**
 * The conformance kit of pidlock, entered at {@link dev.pidlock.testkit.LockBackendContract}: a backend module
 * subclasses it and names its backend id, and every case of the kit runs against that backend with real child
 * processes. The torture suites {@link dev.pidlock.testkit.HostileInputTorture} and
 * {@link dev.pidlock.testkit.ForeignPidTorture} are subclassed the same way and sized by
 * {@link dev.pidlock.testkit.TortureSettings}; {@link dev.pidlock.testkit.ChildProcess} starts the child JVMs,
 * which run {@link dev.pidlock.testkit.LockChild}.
 *
 * @since 0.1
 */
package dev.pidlock.testkit;
