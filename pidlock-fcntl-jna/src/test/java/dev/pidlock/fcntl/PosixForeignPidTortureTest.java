package dev.pidlock.fcntl;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code posix}. */
class PosixForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return "posix";
    }
}
