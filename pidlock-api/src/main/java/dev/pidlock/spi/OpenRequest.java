package dev.pidlock.spi;

import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * How pidlock asks a backend to open a pidfile.
 *
 * @param forLocking  open to lock and write (create when absent); false opens read-only to inspect
 * @param inheritable leave the descriptor open across {@code exec} (only when the caller means to pass the
 *                    lock to a child); otherwise close-on-exec
 * @param createMode  the permission bits a newly created file gets (the umask is undone afterwards by
 *                    setting the mode explicitly)
 * @since 0.1
 */
public record OpenRequest(boolean forLocking, boolean inheritable, Set<PosixFilePermission> createMode) {

    /**
     * Keeps an unmodifiable copy of {@code createMode}.
     *
     * @param forLocking  open to lock and write (create when absent); false opens read-only to inspect
     * @param inheritable leave the descriptor open across {@code exec} (only when the caller means to pass the
     *                    lock to a child); otherwise close-on-exec
     * @param createMode  the permission bits a newly created file gets (the umask is undone afterwards by
     *                    setting the mode explicitly)
     * @since 0.1
     */
    public OpenRequest {
        createMode = Set.copyOf(createMode);
    }

    /**
     * @param mode the mode of a newly created file
     * @return a request to open for locking, close-on-exec
     * @since 0.1
     */
    public static OpenRequest forLocking(Set<PosixFilePermission> mode) {
        return new OpenRequest(true, false, mode);
    }

    /**
     * @return a request to open an existing pidfile read-only, for inspection
     * @since 0.1
     */
    public static OpenRequest forInspection() {
        return new OpenRequest(false, false, Set.of());
    }
}
