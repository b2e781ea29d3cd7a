package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.Availability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The binding of this platform, resolved once for every native backend: its declared constants and layouts
 * and the loaded C library, or why there is none. Also the availability probe they share: do the real thing
 * once on a file in a fresh temporary directory.
 */
public final class Binding {
    private static final Optional<Platform> PLATFORM = Platform.current();
    private static final Errors ERRORS;
    private static final Throwable LOAD_FAILURE;

    static {
        Errors errors = null;
        Throwable failure = null;
        if (PLATFORM.isPresent()) {
            try {
                Libc.errno();
                errors = new Errors(PLATFORM.get());
            } catch (Throwable t) {
                failure = t;
            }
        }
        ERRORS = errors;
        LOAD_FAILURE = failure;
    }

    /** One probe of a backend on a file nobody else knows. */
    @FunctionalInterface
    public interface Check {
        /**
         * @param file a path in a fresh, private temporary directory; absent
         * @return why the backend cannot work, or empty when it can
         * @throws IOException when a call fails
         */
        Optional<String> run(Path file) throws IOException;
    }

    private Binding() {
    }

    /** @return this platform's declaration, when there is one */
    public static Optional<Platform> platform() {
        return PLATFORM;
    }

    /** @return the errno translation; only call once {@link #probe} said available */
    public static Errors errors() {
        return ERRORS;
    }

    /**
     * Checks the binding, then runs {@code check} on a file in a fresh temporary directory and removes both.
     *
     * @param backend the backend's id, for names and messages
     * @param check   what to try
     * @return available, or unavailable with the cause
     */
    public static Availability probe(String backend, Check check) {
        if (PLATFORM.isEmpty()) {
            return Availability.unavailable("no libc binding is declared for " + System.getProperty("os.name")
                    + " on " + System.getProperty("os.arch"));
        }
        if (ERRORS == null) {
            return Availability.unavailable("the C library could not be loaded through JNA: " + LOAD_FAILURE,
                    LOAD_FAILURE);
        }
        Path dir = null;
        Path file = null;
        try {
            dir = Availability.scratchDirectory(backend);
            file = dir.resolve("probe.pid");
            Optional<String> failure = check.run(file);
            return failure.isPresent() ? Availability.unavailable(failure.get()) : Availability.available();
        } catch (IOException | RuntimeException | LinkageError e) {
            return Availability.unavailable("locking a temporary file failed: " + e.getMessage(), e);
        } finally {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                if (dir != null) {
                    Files.deleteIfExists(dir);
                }
            } catch (IOException ignored) {
                // a leftover empty temporary file is harmless
            }
        }
    }
}
