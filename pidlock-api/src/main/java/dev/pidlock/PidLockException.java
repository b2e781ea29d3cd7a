package dev.pidlock;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The root of every pidlock failure. Messages name the path, the operation, the errno where there is one
 * and the holder's pid where it is known, in one line.
 *
 * @since 0.1
 */
public class PidLockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * @param path    the pidfile concerned, or null when none is
     * @param message one line saying what failed
     * @param cause   the underlying failure, or null
     * @since 0.1
     */
    public PidLockException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /**
     * @return the pidfile concerned, when there is one
     * @since 0.1
     */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }
}
