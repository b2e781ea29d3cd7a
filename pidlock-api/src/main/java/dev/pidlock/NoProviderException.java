package dev.pidlock;

/**
 * No provider fits what was asked: a backend or ownership-policy id that no provider has (given to the
 * builder or in the {@code dev.pidlock.backend} or {@code dev.pidlock.ownership} system property), or no
 * backend that can lock ({@link NoBackendException}). The message lists what is known and what failed to
 * load.
 *
 * @since 0.2
 */
public class NoProviderException extends PidLockException {
    private static final long serialVersionUID = 1L;

    NoProviderException(String message) {
        super(null, message, null);
    }
}
