package dev.pidlock.etcd;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * How backend {@code etcd} reaches its cluster: the endpoints, the key prefix, the lease's TTL, TLS and
 * authentication. What the builder leaves unset is read from a system property {@code dev.pidlock.etcd.NAME},
 * else from the environment variable {@code PIDLOCK_ETCD_NAME}:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>property</th><th>environment</th><th>default</th></tr>
 *   <tr><td>{@code dev.pidlock.etcd.endpoints}</td><td>{@code PIDLOCK_ETCD_ENDPOINTS}</td><td>none: the
 *       backend is unavailable (comma-separated URLs such as {@code http://10.0.0.1:2379})</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.prefix}</td><td>{@code PIDLOCK_ETCD_PREFIX}</td><td>{@code /pidlock/}</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.ttl}</td><td>{@code PIDLOCK_ETCD_TTL}</td><td>10 (seconds; or ISO-8601
 *       such as {@code PT2S})</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.user}</td><td>{@code PIDLOCK_ETCD_USER}</td><td>none (no authentication)</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.password}</td><td>{@code PIDLOCK_ETCD_PASSWORD}</td><td>none</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.trustStore}</td><td>{@code PIDLOCK_ETCD_TRUSTSTORE}</td><td>the JVM's
 *       ({@code javax.net.ssl.trustStore})</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.trustStorePassword}</td><td>{@code PIDLOCK_ETCD_TRUSTSTOREPASSWORD}</td>
 *       <td>none</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.keyStore}</td><td>{@code PIDLOCK_ETCD_KEYSTORE}</td><td>the JVM's
 *       ({@code javax.net.ssl.keyStore}): the client certificate</td></tr>
 *   <tr><td>{@code dev.pidlock.etcd.keyStorePassword}</td><td>{@code PIDLOCK_ETCD_KEYSTOREPASSWORD}</td>
 *       <td>none</td></tr>
 * </table>
 *
 * <p>Key and trust stores are PKCS#12 or JKS files; {@code https} endpoints use them, or the JVM's default
 * {@link SSLContext} when none is named.
 *
 * @since 0.2
 */
public final class EtcdConfig {

    /**
     * The default key prefix.
     *
     * @since 0.2
     */
    public static final String DEFAULT_PREFIX = "/pidlock/";

    /**
     * The default lease TTL.
     *
     * @since 0.2
     */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    final List<URI> endpoints;
    final String prefix;
    final Duration ttl;
    final Optional<String> user;
    final Optional<String> password;
    final Optional<Path> trustStore;
    final Optional<String> trustStorePassword;
    final Optional<Path> keyStore;
    final Optional<String> keyStorePassword;
    final Optional<SSLContext> sslContext;

    private EtcdConfig(Builder b, UnaryOperator<String> lookup) {
        List<String> eps = b.endpoints != null ? b.endpoints : split(setting(lookup, "endpoints").orElse(""));
        List<URI> uris = new ArrayList<>();
        for (String e : eps) {
            uris.add(endpoint(e));
        }
        this.endpoints = List.copyOf(uris);
        this.prefix = b.prefix != null ? b.prefix : setting(lookup, "prefix").orElse(DEFAULT_PREFIX);
        this.ttl = b.ttl != null ? b.ttl : setting(lookup, "ttl").map(EtcdConfig::duration).orElse(DEFAULT_TTL);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the etcd lease TTL must be at least 1 s, not " + ttl);
        }
        this.user = b.user != null ? Optional.of(b.user) : setting(lookup, "user");
        this.password = b.password != null ? Optional.of(b.password) : setting(lookup, "password");
        this.trustStore = b.trustStore != null ? Optional.of(b.trustStore)
                : setting(lookup, "trustStore").map(Path::of);
        this.trustStorePassword = b.trustStorePassword != null ? Optional.of(b.trustStorePassword)
                : setting(lookup, "trustStorePassword");
        this.keyStore = b.keyStore != null ? Optional.of(b.keyStore) : setting(lookup, "keyStore").map(Path::of);
        this.keyStorePassword = b.keyStorePassword != null ? Optional.of(b.keyStorePassword)
                : setting(lookup, "keyStorePassword");
        this.sslContext = Optional.ofNullable(b.sslContext);
    }

    /**
     * The configuration from system properties and the environment only, as {@link java.util.ServiceLoader}'s
     * backend reads it.
     *
     * @return the configuration
     * @throws IllegalArgumentException when a setting is malformed
     * @since 0.2
     */
    public static EtcdConfig fromEnvironment() {
        return builder().build();
    }

    /**
     * @return a builder; what it leaves unset comes from system properties and the environment
     * @since 0.2
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the endpoints, in the order they are tried; empty when none is configured
     * @since 0.2
     */
    public List<URI> endpoints() {
        return endpoints;
    }

    /**
     * @return the prefix of every lock's key
     * @since 0.2
     */
    public String prefix() {
        return prefix;
    }

    /**
     * @return the lease's TTL: how long a holder that can no longer renew it (dead, stopped, cut off) keeps the
     *         lock at most
     * @since 0.2
     */
    public Duration leaseTtl() {
        return ttl;
    }

    /**
     * @return a description without secrets
     * @since 0.2
     */
    @Override
    public String toString() {
        return "EtcdConfig[endpoints " + endpoints + ", prefix " + prefix + ", ttl " + ttl
                + user.map(u -> ", user " + u).orElse("") + "]";
    }

    static Optional<String> setting(UnaryOperator<String> lookup, String name) {
        String v = lookup.apply(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /** System property {@code dev.pidlock.etcd.NAME}, else environment variable {@code PIDLOCK_ETCD_NAME}. */
    static String systemLookup(String name) {
        String v = System.getProperty("dev.pidlock.etcd." + name);
        if (v == null || v.isBlank()) {
            v = System.getenv("PIDLOCK_ETCD_" + name.toUpperCase(Locale.ROOT));
        }
        return v;
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static URI endpoint(String e) {
        String s = e.contains("://") ? e : "http://" + e;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI u;
        try {
            u = URI.create(s);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("etcd endpoint '" + e + "' is not a URL", ex);
        }
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
            throw new IllegalArgumentException("etcd endpoint '" + e + "' is not an http:// or https:// URL");
        }
        return u;
    }

    private static Duration duration(String s) {
        try {
            return s.startsWith("P") || s.startsWith("p") ? Duration.parse(s) : Duration.ofSeconds(Long.parseLong(s));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("etcd lease TTL '" + s + "' is neither seconds nor ISO-8601", e);
        }
    }

    /**
     * Builds an {@link EtcdConfig}.
     *
     * @since 0.2
     */
    public static final class Builder {
        private List<String> endpoints;
        private String prefix;
        private Duration ttl;
        private String user;
        private String password;
        private Path trustStore;
        private String trustStorePassword;
        private Path keyStore;
        private String keyStorePassword;
        private SSLContext sslContext;
        private UnaryOperator<String> lookup = EtcdConfig::systemLookup;

        private Builder() {
        }

        /**
         * @param urls the cluster's client URLs ({@code http://host:2379} or {@code https://...}), tried in order
         *             when one cannot be reached
         * @return this builder
         * @since 0.2
         */
        public Builder endpoints(String... urls) {
            this.endpoints = List.copyOf(Arrays.asList(urls));
            return this;
        }

        /**
         * @param keyPrefix the prefix of every lock's key (default {@code /pidlock/})
         * @return this builder
         * @since 0.2
         */
        public Builder prefix(String keyPrefix) {
            this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /**
         * @param leaseTtl the lease's TTL, whole seconds, at least 1 s (default 10 s)
         * @return this builder
         * @since 0.2
         */
        public Builder leaseTtl(Duration leaseTtl) {
            this.ttl = Objects.requireNonNull(leaseTtl, "leaseTtl");
            return this;
        }

        /**
         * @param name     the etcd user
         * @param secret   its password
         * @return this builder
         * @since 0.2
         */
        public Builder credentials(String name, String secret) {
            this.user = Objects.requireNonNull(name, "name");
            this.password = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * @param store    a PKCS#12 or JKS trust store with the cluster's CA
         * @param secret   its password, or null
         * @return this builder
         * @since 0.2
         */
        public Builder trustStore(Path store, String secret) {
            this.trustStore = Objects.requireNonNull(store, "store");
            this.trustStorePassword = secret;
            return this;
        }

        /**
         * @param store    a PKCS#12 or JKS key store with the client certificate and its key
         * @param secret   its password, or null
         * @return this builder
         * @since 0.2
         */
        public Builder keyStore(Path store, String secret) {
            this.keyStore = Objects.requireNonNull(store, "store");
            this.keyStorePassword = secret;
            return this;
        }

        /**
         * @param context the TLS context for {@code https} endpoints, instead of trust and key stores
         * @return this builder
         * @since 0.2
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** For tests: where unset settings are looked up instead of system properties and the environment. */
        Builder lookup(UnaryOperator<String> settings) {
            this.lookup = settings;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException when a setting is malformed
         * @since 0.2
         */
        public EtcdConfig build() {
            return new EtcdConfig(this, lookup);
        }
    }
}
