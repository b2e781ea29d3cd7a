package dev.pidlock.lockf;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code lockf}. */
class LockfBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return LockfBackend.ID;
    }
}
