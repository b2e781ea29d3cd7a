package dev.pidlock.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether a backend can lock on this machine, and why not when it cannot. A backend finds this out by
 * trying (load the library, lock and unlock a temporary file) once, and keeps the answer.
 *
 * @param isAvailable whether the backend works here
 * @param cause       why it does not (empty when available)
 * @param error       the failure behind the cause, if there was one
 * @since 0.1
 */
public record Availability(boolean isAvailable, Optional<String> cause, Optional<Throwable> error) {

    private static final Availability AVAILABLE = new Availability(true, Optional.empty(), Optional.empty());

    public Availability {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(error, "error");
        if (!isAvailable && cause.isEmpty()) {
            throw new IllegalArgumentException("an unavailable backend must say why");
        }
    }

    /** @return the answer of a backend that works here */
    public static Availability available() {
        return AVAILABLE;
    }

    /**
     * @param cause why the backend cannot lock here, in one line
     * @return the answer of a backend that does not work here
     */
    public static Availability unavailable(String cause) {
        return new Availability(false, Optional.of(cause), Optional.empty());
    }

    /**
     * @param cause why the backend cannot lock here, in one line
     * @param error the failure the probe met
     * @return the answer of a backend that does not work here
     */
    public static Availability unavailable(String cause, Throwable error) {
        return new Availability(false, Optional.of(cause), Optional.of(error));
    }
}
