package dev.pidlock.fcntl;

import dev.pidlock.testkit.ExclusionTorture;

/** The exclusion torture, run against backend {@code flock}. */
class FlockExclusionTortureTest extends ExclusionTorture {
    @Override
    protected String backendId() {
        return "flock";
    }
}
