package dev.pidlock.lockf;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code lockf}. */
class LockfForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return "lockf";
    }
}
