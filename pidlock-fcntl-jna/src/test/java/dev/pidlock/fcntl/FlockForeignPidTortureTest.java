package dev.pidlock.fcntl;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code flock}. */
class FlockForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return "flock";
    }
}
