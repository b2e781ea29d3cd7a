package dev.pidlock.etcd;

import java.io.IOException;

/**
 * A failure to talk to the etcd cluster, of one {@link Kind}, with a one-line message that names the endpoint.
 * Never means "held by another": contention is an answer, not a failure.
 *
 * @since 0.2
 */
public final class EtcdException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * What went wrong.
     *
     * @since 0.2
     */
    public enum Kind {
        /**
         * No endpoint could be connected to (refused, no route, connect timeout).
         *
         * @since 0.2
         */
        UNREACHABLE,
        /**
         * A member answered that it has no leader or no quorum, or did not answer in time.
         *
         * @since 0.2
         */
        NO_QUORUM,
        /**
         * Authentication failed or is required (HTTP 401, gRPC code 16, a wrong user or password).
         *
         * @since 0.2
         */
        AUTH,
        /**
         * The TLS handshake failed (an untrusted server certificate, a refused client certificate, plain HTTP
         * against TLS or the reverse).
         *
         * @since 0.2
         */
        TLS,
        /**
         * Anything else etcd answered with (an error it returned, an answer that could not be read).
         *
         * @since 0.2
         */
        PROTOCOL
    }

    /** The gRPC status code etcd answered with, or -1. */
    transient int grpcCode = -1;
    private final Kind kind;
    private final String endpoint;

    EtcdException(Kind kind, String endpoint, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.endpoint = endpoint;
    }

    /**
     * @return what went wrong
     * @since 0.2
     */
    public Kind kind() {
        return kind;
    }

    /**
     * @return the endpoint of the last attempt (the one the message names)
     * @since 0.2
     */
    public String endpoint() {
        return endpoint;
    }
}
