package dev.pidlock.lockf;

import dev.pidlock.testkit.HostileInputTorture;

/** The hostile-input torture suite, run against backend {@code lockf}. */
class LockfHostileInputTortureTest extends HostileInputTorture {
    @Override
    protected String backendId() {
        return "lockf";
    }
}
