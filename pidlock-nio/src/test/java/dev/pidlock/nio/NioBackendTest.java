package dev.pidlock.nio;

import dev.pidlock.testkit.LockBackendContract;

/** The conformance kit, run against backend {@code nio}. */
class NioBackendTest extends LockBackendContract {
    @Override
    protected String backendId() {
        return NioBackend.ID;
    }
}
