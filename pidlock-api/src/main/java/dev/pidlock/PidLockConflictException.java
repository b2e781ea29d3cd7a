package dev.pidlock;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Somebody else holds the pidfile: it is locked, or it names a live process. This is the "it is running
 * already" answer; {@code tryAcquire} returns it as {@code Optional.empty()} instead.
 *
 * @since 0.1
 */
public abstract sealed class PidLockConflictException extends PidLockException
        permits AlreadyLockedException, AlreadyRunningException {
    private static final long serialVersionUID = 1L;

    /** The holder's pid; 0 or less when unknown. */
    private final long holderPid;

    PidLockConflictException(Path path, long holderPid, String message) {
        super(path, message, null);
        this.holderPid = holderPid;
    }

    /**
     * @return the holder's pid, when it could be known
     * @since 0.1
     */
    public OptionalLong holderPid() {
        return holderPid > 0 ? OptionalLong.of(holderPid) : OptionalLong.empty();
    }
}
