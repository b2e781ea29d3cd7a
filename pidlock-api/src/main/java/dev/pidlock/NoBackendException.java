package dev.pidlock;

/**
 * No backend can lock: none was found, the requested id is unknown, or every candidate was rejected. The
 * message lists each candidate with its module, priority and reason, and what to add.
 *
 * @since 0.1
 */
public final class NoBackendException extends NoProviderException {
    private static final long serialVersionUID = 1L;

    NoBackendException(String message) {
        super(message);
    }
}
