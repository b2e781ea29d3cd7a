package dev.pidlock.lockf;

import dev.pidlock.testkit.CrashTorture;

/** The crash torture, run against backend {@code lockf}. */
class LockfCrashTortureTest extends CrashTorture {
    @Override
    protected String backendId() {
        return LockfBackend.ID;
    }
}
