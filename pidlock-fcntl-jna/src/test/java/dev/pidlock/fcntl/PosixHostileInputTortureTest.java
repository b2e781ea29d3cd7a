package dev.pidlock.fcntl;

import dev.pidlock.testkit.HostileInputTorture;

/** The hostile-input torture suite, run against backend {@code posix}. */
class PosixHostileInputTortureTest extends HostileInputTorture {
    @Override
    protected String backendId() {
        return "posix";
    }
}
