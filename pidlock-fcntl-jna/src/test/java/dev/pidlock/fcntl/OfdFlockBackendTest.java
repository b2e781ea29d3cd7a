package dev.pidlock.fcntl;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code ofd+flock}. */
class OfdFlockBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return "ofd+flock";
    }
}
