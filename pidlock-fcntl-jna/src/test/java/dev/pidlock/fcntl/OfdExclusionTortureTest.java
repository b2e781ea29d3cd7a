package dev.pidlock.fcntl;

import dev.pidlock.testkit.ExclusionTorture;

/** The exclusion torture, run against backend {@code ofd}. */
class OfdExclusionTortureTest extends ExclusionTorture {
    @Override
    protected String backendId() {
        return "ofd";
    }
}
