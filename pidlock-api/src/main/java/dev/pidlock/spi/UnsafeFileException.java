package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by a backend or a policy that refuses to open a path, for example because it names a symlink, a
 * directory or a FIFO. pidlock turns it into its own unsafe-pidfile error.
 *
 * @since 0.1
 */
public class UnsafeFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * @param path   the path refused
     * @param reason why, in a few words (for example "is a symbolic link")
     * @since 0.1
     */
    public UnsafeFileException(Path path, String reason) {
        super(path + " " + reason);
        this.path = path;
    }

    /**
     * @return the path refused
     * @since 0.1
     */
    public Path path() {
        return path;
    }
}
