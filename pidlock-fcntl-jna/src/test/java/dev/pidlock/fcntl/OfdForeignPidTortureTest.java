package dev.pidlock.fcntl;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code ofd}. */
class OfdForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return "ofd";
    }
}
