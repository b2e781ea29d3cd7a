package dev.pidlock.fcntl;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code ofd+flock}. */
class OfdFlockForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return "ofd+flock";
    }
}
