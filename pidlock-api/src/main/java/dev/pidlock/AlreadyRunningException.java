package dev.pidlock;

import java.nio.file.Path;

/**
 * The pidfile is not locked but names a live process that may have written it (a tool that writes
 * pidfiles without locking); pidlock respects it.
 *
 * @since 0.1
 */
public final class AlreadyRunningException extends PidLockConflictException {
    private static final long serialVersionUID = 1L;

    AlreadyRunningException(Path path, long pid, String message) {
        super(path, pid, message);
    }

    /**
     * @return the pid of the running process
     * @since 0.1
     */
    public long pid() {
        return holderPid().orElseThrow();
    }
}
