package dev.pidlock.fcntl;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code ofd}. */
class OfdCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return "ofd";
    }
}
