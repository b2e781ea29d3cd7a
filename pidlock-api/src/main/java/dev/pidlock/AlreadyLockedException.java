package dev.pidlock;

import java.nio.file.Path;

/**
 * The pidfile is locked by another process, or by this JVM already.
 *
 * @since 0.1
 */
public final class AlreadyLockedException extends PidLockConflictException {
    private static final long serialVersionUID = 1L;

    /** Whether the holder is this JVM. */
    private final boolean byThisProcess;

    AlreadyLockedException(Path path, long holderPid, boolean byThisProcess, String message) {
        super(path, holderPid, message);
        this.byThisProcess = byThisProcess;
    }

    /**
     * @return whether the holder is this JVM (a second acquisition of a file it holds)
     * @since 0.1
     */
    public boolean heldByThisProcess() {
        return byThisProcess;
    }
}
