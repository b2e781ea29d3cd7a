package dev.pidlock.lockf;

import dev.pidlock.testkit.ExclusionTorture;

/** The exclusion torture, run against backend {@code lockf}. */
class LockfExclusionTortureTest extends ExclusionTorture {
    @Override
    protected String backendId() {
        return LockfBackend.ID;
    }
}
