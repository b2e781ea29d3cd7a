package dev.pidlock.etcd;

import dev.pidlock.etcd.EtcdException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client of etcd v3's JSON gateway ({@code /v3/...}, etcd 3.4 and later) over {@code java.net.http}: unary
 * calls with fail-over to the next endpoint when one cannot be reached or has no quorum, authentication by
 * token, and watches as streams of newline-separated JSON messages. Thread-safe.
 */
final class EtcdClient {

    /** gRPC status codes etcd answers with. */
    static final int NOT_FOUND = 5;
    static final int PERMISSION_DENIED = 7;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final EtcdConfig config;
    private final List<URI> endpoints;
    private final HttpClient http;
    /** How long a unary call may take before its member counts as without quorum. */
    final Duration requestTimeout;
    /** The endpoint that answered last: tried first. */
    private volatile int preferred;
    private volatile String token;

    EtcdClient(EtcdConfig config) throws EtcdException {
        this.config = config;
        this.endpoints = config.endpoints();
        if (endpoints.isEmpty()) {
            throw new EtcdException(Kind.UNREACHABLE, "", "no etcd endpoints configured", null);
        }
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
        if (endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()))) {
            b.sslContext(sslContext(config, endpoints.get(0).toString()));
        }
        this.http = b.build();
        long ttl = config.leaseTtl().toMillis();
        this.requestTimeout = Duration.ofMillis(Math.max(1000, Math.min(5000, ttl / 2)));
    }

    private static SSLContext sslContext(EtcdConfig config, String endpoint) throws EtcdException {
        if (config.sslContext.isPresent()) {
            return config.sslContext.get();
        }
        try {
            if (config.trustStore.isEmpty() && config.keyStore.isEmpty()) {
                return SSLContext.getDefault();
            }
            TrustManagerFactory tmf = null;
            if (config.trustStore.isPresent()) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(config.trustStore.get(), config.trustStorePassword));
            }
            KeyManagerFactory kmf = null;
            if (config.keyStore.isPresent()) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(config.keyStore.get(), config.keyStorePassword),
                        config.keyStorePassword.map(String::toCharArray).orElse(new char[0]));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new EtcdException(Kind.TLS, endpoint, "etcd " + endpoint + ": TLS set-up failed: " + e.getMessage(),
                    e);
        }
    }

    private static KeyStore load(Path file, Optional<String> password) throws GeneralSecurityException, IOException {
        char[] secret = password.map(String::toCharArray).orElse(null);
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, secret);
            return ks;
        }
    }

    /** @return the first endpoint, for messages that concern the cluster rather than one call */
    String firstEndpoint() {
        return endpoints.get(preferred).toString();
    }

    // ---- the calls ----

    /**
     * @param ttlSeconds the lease's TTL
     * @return the new lease's id
     */
    long grant(long ttlSeconds) throws EtcdException {
        Object r = call("/v3/lease/grant", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("TTL", Long.toString(ttlSeconds));
            g.writeEndObject();
        }));
        OptionalLong id = Json.int64(r, "ID");
        if (id.isEmpty()) {
            throw new EtcdException(Kind.PROTOCOL, firstEndpoint(), "etcd " + firstEndpoint()
                    + ": lease grant answered without an ID", null);
        }
        return id.getAsLong();
    }

    /**
     * One keep-alive of lease {@code id}.
     *
     * @return the TTL etcd granted anew, in seconds; 0 or less when the lease is gone (expired, revoked)
     */
    long keepAlive(long id) throws EtcdException {
        Object r = call("/v3/lease/keepalive", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("ID", Long.toString(id));
            g.writeEndObject();
        }));
        Map<String, Object> result = Json.obj(r, "result");
        if (result.isEmpty() && r instanceof Map<?, ?> m && m.containsKey("error")) {
            throw new EtcdException(Kind.PROTOCOL, firstEndpoint(), "etcd " + firstEndpoint() + ": keepalive: "
                    + Json.str(r, "message").orElse("error"), null);
        }
        return Json.int64(result, "TTL").orElse(0);
    }

    /** Revokes lease {@code id}; one that is gone already is not an error. */
    void revoke(long id) throws EtcdException {
        try {
            call("/v3/lease/revoke", Json.write(g -> {
                g.writeStartObject();
                g.writeStringField("ID", Long.toString(id));
                g.writeEndObject();
            }));
        } catch (EtcdException e) {
            if (e.grpcCode != NOT_FOUND) {
                throw e;
            }
        }
    }

    /**
     * @param key the key
     * @return the range answer for that one key
     */
    Object range(String key) throws EtcdException {
        return call("/v3/kv/range", Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("key", Json.b64(key));
            g.writeEndObject();
        }));
    }

    /**
     * @param body the transaction, written by the caller
     * @return the answer
     */
    Object txn(Json.Writer body) throws EtcdException {
        return call("/v3/kv/txn", Json.write(body));
    }

    /**
     * One condition of a transaction on a key: its {@code target} ({@code MOD}, {@code CREATE}, {@code LEASE}) equal
     * to a value, written in the field of that target ({@code mod_revision}, {@code create_revision},
     * {@code lease}).
     *
     * @param target the target
     * @param field  the field the value is written in
     * @param value  the value
     */
    record Compare(String target, String field, long value) {
    }

    /**
     * Deletes {@code key} only while every condition holds, in one transaction.
     *
     * @param key      the key
     * @param compares the conditions, all of which must hold
     * @return the answer
     */
    Object deleteIf(String key, Compare... compares) throws EtcdException {
        return txn(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("compare");
            for (Compare c : compares) {
                g.writeStartObject();
                g.writeStringField("target", c.target());
                g.writeStringField("key", Json.b64(key));
                g.writeStringField(c.field(), Long.toString(c.value()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("success");
            g.writeStartObject();
            g.writeObjectFieldStart("request_delete_range");
            g.writeStringField("key", Json.b64(key));
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** A unary call to each endpoint in turn, from the one that answered last, until one answers. */
    Object call(String path, byte[] body) throws EtcdException {
        EtcdException last = null;
        int n = endpoints.size();
        int start = preferred;
        for (int i = 0; i < n; i++) {
            int index = (start + i) % n;
            URI endpoint = endpoints.get(index);
            try {
                Object answer = callOnce(endpoint, path, body, true);
                if (index != preferred) {
                    preferred = index;
                }
                return answer;
            } catch (EtcdException e) {
                if (e.kind() == Kind.AUTH || e.kind() == Kind.PROTOCOL) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private Object callOnce(URI endpoint, String path, byte[] body, boolean mayReauthenticate) throws EtcdException {
        String where = endpoint.toString();
        String auth = authToken(endpoint);
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            rb.header("Authorization", auth);
        }
        HttpResponse<byte[]> response = send(rb.build(), where, path);
        Object tree;
        try {
            tree = Json.parse(response.body());
        } catch (IOException e) {
            if (response.statusCode() == 401) {
                throw new EtcdException(Kind.AUTH, where, "etcd " + where + ": authentication failed (HTTP 401)", e);
            }
            throw new EtcdException(Kind.PROTOCOL, where, "etcd " + where + ": " + path + " answered HTTP "
                    + response.statusCode() + " that is not JSON", e);
        }
        Object error = tree instanceof Map<?, ?> m ? m.get("error") : null;
        if (error == null && tree instanceof Map<?, ?> m && m.get("result") == null && m.get("code") != null
                && m.get("message") != null) {
            error = m.get("message");
        }
        if (error instanceof Map<?, ?> streamed) {
            // a streaming call's error: {"error":{"grpc_code":..,"message":..}}
            tree = Map.of("code", String.valueOf(streamed.get("grpc_code")), "message",
                    String.valueOf(streamed.get("message")));
            error = streamed.get("message");
        }
        if (error != null || response.statusCode() >= 400) {
            int code = (int) Json.int64(tree, "code").orElse(-1);
            String message = Json.str(tree, "message").orElse(error != null ? error.toString()
                    : "HTTP " + response.statusCode());
            if (code == PERMISSION_DENIED && !message.contains("not capable")
                    || message.contains("user name is empty") || message.contains("authentication failed")) {
                throw new EtcdException(Kind.AUTH, where, "etcd " + where + ": authentication failed: " + message,
                        null);
            }
            if (code == UNAUTHENTICATED || response.statusCode() == 401) {
                if (mayReauthenticate && auth != null && message.contains("invalid auth token")) {
                    token = null;
                    return callOnce(endpoint, path, body, false);
                }
                throw new EtcdException(Kind.AUTH, where, "etcd " + where + ": authentication failed: " + message,
                        null);
            }
            if (code == UNAVAILABLE || message.contains("no leader") || message.contains("timed out")
                    || message.contains("leader changed") || message.contains("not capable")) {
                throw new EtcdException(Kind.NO_QUORUM, where, "etcd " + where + ": no quorum: " + message, null);
            }
            EtcdException e = new EtcdException(Kind.PROTOCOL, where, "etcd " + where + ": " + path + ": " + message,
                    null);
            e.grpcCode = code;
            throw e;
        }
        return tree;
    }

    /**
     * Sends one unary request and waits for its answer without answering an interrupt: a unary call is bounded by
     * the request timeout, and one cut short would leave the caller not knowing whether it took effect (a lease
     * granted, a key put). A pending interrupt stays pending for the caller's next wait.
     */
    private HttpResponse<byte[]> send(HttpRequest request, String where, String path) throws EtcdException {
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    IOException io = cause instanceof IOException x ? x : new IOException(String.valueOf(cause), cause);
                    throw transportFailure(where, path, io);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static EtcdException transportFailure(String where, String path, IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return new EtcdException(Kind.TLS, where, "etcd " + where + ": TLS failure: " + t.getMessage(), e);
            }
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new EtcdException(Kind.UNREACHABLE, where, "etcd " + where + ": unreachable (connect timed out)", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new EtcdException(Kind.NO_QUORUM, where, "etcd " + where + ": no answer to " + path
                    + " in time (no quorum or no leader?)", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnresolvedAddressException) {
                return new EtcdException(Kind.UNREACHABLE, where, "etcd " + where + ": unreachable ("
                        + (t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName()) + ")", e);
            }
        }
        String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new EtcdException(Kind.UNREACHABLE, where, "etcd " + where + ": unreachable (" + msg + ")", e);
    }

    /** The token for {@code endpoint} when authentication is configured; authenticates the first time. */
    private String authToken(URI endpoint) throws EtcdException {
        if (config.user.isEmpty()) {
            return null;
        }
        String t = token;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (token == null) {
                Object r = callOnceUnauthenticated(endpoint, "/v3/auth/authenticate", Json.write(g -> {
                    g.writeStartObject();
                    g.writeStringField("name", config.user.get());
                    g.writeStringField("password", config.password.orElse(""));
                    g.writeEndObject();
                }));
                token = Json.str(r, "token").orElseThrow(() -> new EtcdException(Kind.AUTH, endpoint.toString(),
                        "etcd " + endpoint + ": authentication answered without a token", null));
            }
            return token;
        }
    }

    private Object callOnceUnauthenticated(URI endpoint, String path, byte[] body) throws EtcdException {
        String where = endpoint.toString();
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path)).timeout(requestTimeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = send(request, where, path);
        Object tree;
        try {
            tree = Json.parse(response.body());
        } catch (IOException e) {
            throw new EtcdException(Kind.AUTH, where, "etcd " + where + ": authentication failed (HTTP "
                    + response.statusCode() + ")", e);
        }
        if (response.statusCode() >= 400 || Json.str(tree, "error").isPresent()) {
            throw new EtcdException(Kind.AUTH, where, "etcd " + where + ": authentication failed: "
                    + Json.str(tree, "message").orElse("HTTP " + response.statusCode()), null);
        }
        return tree;
    }

    // ---- watches ----

    /** A watch in progress; {@link #cancel()} ends it. */
    static final class Watch {
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            ended.complete(null);
        }
    }

    /**
     * Watches {@code key} from {@code startRevision} on the preferred endpoint: each message (a {@code result}
     * object with events, or the end of the watch) goes to {@code onMessage} on an HTTP client thread. The watch's
     * {@code ended} completes when the stream ends or fails.
     */
    Watch watch(String key, long startRevision, Consumer<Object> onMessage) throws EtcdException {
        URI endpoint = endpoints.get(preferred);
        String auth = authToken(endpoint);
        byte[] body = Json.write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("create_request");
            g.writeStringField("key", Json.b64(key));
            g.writeStringField("start_revision", Long.toString(startRevision));
            g.writeEndObject();
            g.writeEndObject();
        });
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint.resolve("/v3/watch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            rb.header("Authorization", auth);
        }
        Watch w = new Watch();
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                w.subscription = s;
                if (w.cancelled) {
                    s.cancel();
                } else {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(String line) {
                if (line.isBlank() || w.cancelled) {
                    return;
                }
                try {
                    onMessage.accept(Json.parse(line));
                } catch (IOException | RuntimeException e) {
                    w.ended.complete(null);
                }
            }

            @Override
            public void onError(Throwable t) {
                w.ended.complete(null);
            }

            @Override
            public void onComplete() {
                w.ended.complete(null);
            }
        };
        http.sendAsync(rb.build(), HttpResponse.BodyHandlers.fromLineSubscriber(lines))
                .whenComplete((r, t) -> {
                    if (t != null) {
                        w.ended.complete(null);
                    }
                });
        return w;
    }
}
