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

    /**
     * Memoizes a backend's probe: the first call runs it (once, also under contention) and logs the answer
     * at DEBUG; later calls return the kept answer. A probe that throws counts as unavailable, with its failure
     * as the cause.
     *
     * @param backend the backend's id, for the log
     * @param probe   the real probe: load what is needed, lock and unlock a temporary file
     * @return a supplier of the kept answer
     */
    public static java.util.function.Supplier<Availability> once(String backend,
            java.util.function.Supplier<Availability> probe) {
        return new java.util.function.Supplier<>() {
            private volatile Availability answer;

            @Override
            public Availability get() {
                Availability a = answer;
                if (a == null) {
                    synchronized (this) {
                        a = answer;
                        if (a == null) {
                            try {
                                a = probe.get();
                            } catch (RuntimeException | LinkageError e) {
                                a = unavailable("the probe failed: " + e, e);
                            }
                            answer = a;
                            Availability found = a;
                            System.getLogger("dev.pidlock").log(System.Logger.Level.DEBUG, () -> "backend " + backend
                                    + " probe: " + (found.isAvailable() ? "available" : found.cause().orElse("")));
                        }
                    }
                }
                return a;
            }
        };
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
