package dev.pidlock.fcntl;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code posix}. */
class PosixBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return "posix";
    }
}
