package dev.pidlock;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The pidfile could not be opened, read, written, locked or removed: the message names the operation, the
 * path and the errno.
 *
 * @since 0.1
 */
public final class PidFileAccessException extends PidLockException {
    private static final long serialVersionUID = 1L;

    /** The operation that failed. */
    private final String operation;
    /** The errno name, or null when unknown. */
    private final String errno;

    PidFileAccessException(Path path, String operation, String errno, String message, Throwable cause) {
        super(path, message, cause);
        this.operation = operation;
        this.errno = errno;
    }

    /**
     * @return the operation that failed, for example {@code open} or {@code lock}
     * @since 0.1
     */
    public String operation() {
        return operation;
    }

    /**
     * @return the errno name, for example {@code EACCES}, when known
     * @since 0.1
     */
    public Optional<String> errno() {
        return Optional.ofNullable(errno);
    }
}
