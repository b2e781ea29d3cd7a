package dev.pidlock.fcntl;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code ofd}. */
class OfdBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return "ofd";
    }
}
