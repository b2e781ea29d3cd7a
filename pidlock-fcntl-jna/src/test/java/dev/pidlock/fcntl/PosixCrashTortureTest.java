package dev.pidlock.fcntl;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code posix}. */
class PosixCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return "posix";
    }
}
