package dev.pidlock.nio;

import dev.pidlock.testkit.ExclusionTorture;

/** The exclusion torture, run against backend {@code nio}. */
class NioExclusionTortureTest extends ExclusionTorture {
    @Override
    protected String backendId() {
        return NioBackend.ID;
    }
}
