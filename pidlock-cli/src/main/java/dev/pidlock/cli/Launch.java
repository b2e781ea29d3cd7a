package dev.pidlock.cli;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;

/**
 * How the command gets the lock: through an inherited descriptor, or under supervision. Asks only for the
 * backend that will be used (probing every backend would cost each run several temporary files).
 */
final class Launch {
    private Launch() {
    }

    /**
     * @param b       the builder, with its backend set
     * @return the backend it will lock with
     * @throws dev.pidlock.PidLockException when the requested backend is unknown or unavailable, or none can lock
     */
    static BackendInfo chosen(PidLock.Builder b) {
        return b.selectedBackend();
    }

    /** @return whether the command can hold the lock through an inherited descriptor */
    static boolean inheritable(BackendInfo chosen) {
        return chosen.capabilities().contains(Capability.INHERITABLE_ACROSS_EXEC);
    }

    /**
     * @param b       the builder
     * @param backend the requested backend id, or null
     * @return the builder, with the backend set
     */
    static PidLock.Builder withBackend(PidLock.Builder b, String backend) {
        return backend == null ? b : b.backend(backend);
    }
}
