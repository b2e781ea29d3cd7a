package dev.pidlock;

import java.nio.file.Path;

/**
 * The pidfile path is refused: it names a symlink, a directory, a FIFO or another non-regular file, or it
 * lies in a directory anybody could replace it in. Nothing was opened or changed.
 *
 * @since 0.1
 */
public final class UnsafePidFileException extends PidLockException {
    private static final long serialVersionUID = 1L;

    UnsafePidFileException(Path path, String message) {
        super(path, message, null);
    }
}
