package dev.pidlock.fcntl;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code ofd+flock}. */
class OfdFlockCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return "ofd+flock";
    }
}
