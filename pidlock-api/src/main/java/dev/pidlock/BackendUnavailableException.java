package dev.pidlock;

/**
 * The requested backend exists but cannot lock here (or lacks a required capability); pidlock never falls
 * back silently to another one.
 *
 * @since 0.1
 */
public final class BackendUnavailableException extends PidLockException {
    private static final long serialVersionUID = 1L;

    /** The id that was requested. */
    private final String backendId;

    BackendUnavailableException(String backendId, String message, Throwable cause) {
        super(null, message, cause);
        this.backendId = backendId;
    }

    /**
     * @return the id that was requested
     * @since 0.1
     */
    public String backendId() {
        return backendId;
    }
}
