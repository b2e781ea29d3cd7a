package dev.pidlock.fcntl;

import dev.pidlock.testkit.ExclusionTorture;

/** The exclusion torture, run against backend {@code posix}. */
class PosixExclusionTortureTest extends ExclusionTorture {
    @Override
    protected String backendId() {
        return "posix";
    }
}
