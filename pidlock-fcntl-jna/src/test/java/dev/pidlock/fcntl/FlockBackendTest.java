package dev.pidlock.fcntl;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code flock}. */
class FlockBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return "flock";
    }
}
