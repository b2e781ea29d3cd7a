package dev.pidlock.nio;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code nio}. */
class NioCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return NioBackend.ID;
    }
}
