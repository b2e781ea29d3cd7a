package dev.pidlock.nio;

import dev.pidlock.testkit.HostileInputTorture;

/** The hostile-input torture suite, run against backend {@code nio}. */
class NioHostileInputTortureTest extends HostileInputTorture {
    @Override
    protected String backendId() {
        return NioBackend.ID;
    }
}
