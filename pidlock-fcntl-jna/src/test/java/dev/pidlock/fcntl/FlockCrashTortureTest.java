package dev.pidlock.fcntl;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code flock}. */
class FlockCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return "flock";
    }
}
