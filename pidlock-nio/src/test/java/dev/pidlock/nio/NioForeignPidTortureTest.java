package dev.pidlock.nio;

import dev.pidlock.testkit.ForeignPidTorture;

/** The foreign-pid and pid-reuse torture suite, run against backend {@code nio}. */
class NioForeignPidTortureTest extends ForeignPidTorture {
    @Override
    protected String backendId() {
        return NioBackend.ID;
    }
}
