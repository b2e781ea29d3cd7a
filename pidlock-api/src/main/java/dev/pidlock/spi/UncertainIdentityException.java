package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Thrown by {@link OpenPidFile#identity()} of a store that infers the identity from the path (it cannot
 * {@code fstat} its descriptor) when the path changed while the file was being opened. pidlock then cannot
 * know which file the handle has open, so it keeps the handle open until this JVM holds no lock (closing a
 * descriptor of a file the process locks through another one drops a POSIX lock) and opens again.
 *
 * @since 0.1
 */
public final class UncertainIdentityException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param path the pidfile that changed while it was opened
     * @since 0.1
     */
    public UncertainIdentityException(Path path) {
        super(path + " changed while it was being opened");
    }
}
