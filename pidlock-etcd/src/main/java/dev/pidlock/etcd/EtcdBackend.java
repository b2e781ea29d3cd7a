package dev.pidlock.etcd;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backend {@code etcd}: one holder across a fleet. The lock of a pidfile is the key {@code PREFIX + NAME} on an
 * etcd v3 cluster, where {@code NAME} is the pidfile's file name without {@code .pid} (so {@code nightly.pid}
 * maps to {@code /pidlock/nightly} on every host, whatever its runtime directory). The local pidfile stays, as
 * the record of the holder on its host, read and written through the default store.
 *
 * <ul>
 *   <li><b>Acquire:</b> grant a lease, then one transaction "if the key was never created, put it bound to the
 *       lease" with the holder's host, pid, start time and boot id as its value. A daemon thread keeps the lease
 *       alive every third of its TTL. Waiting watches the key and tries again when it is deleted.</li>
 *   <li><b>Release:</b> delete the key if its create revision and lease are still ours, then revoke the lease.</li>
 *   <li><b>Stale holders:</b> a dead holder's lease expires after its TTL and the key goes with it. A holder of
 *       this host (same host name and boot id) whose pid is dead is freed at once by revoking its lease; another
 *       host's process is never judged.</li>
 *   <li><b>Losing the lock:</b> when the lease can no longer be renewed for its whole TTL, or etcd says it is
 *       gone, {@link dev.pidlock.PidLock#isHeld()} turns false and the listeners of
 *       {@link dev.pidlock.PidLock#onLost(Runnable)} run ({@link Capability#LEASED}).</li>
 *   <li><b>Fencing:</b> {@link dev.pidlock.PidLock#fencingToken()} is the key's {@code create_revision}, strictly
 *       increasing from one holder to the next.</li>
 * </ul>
 *
 * <p>Configured by {@link EtcdConfig}; the backend {@link java.util.ServiceLoader} makes reads it from system
 * properties and the environment. Without endpoints it is unavailable. The availability check does not contact
 * the cluster (so that listing backends never waits for an unreachable one): failures to reach it surface when
 * locking, as one-line {@link EtcdException}s naming the endpoint. Its priority, {@value #PRIORITY}, is below
 * every local backend's, so it is used only when asked for by id.
 *
 * @since 0.2
 */
public final class EtcdBackend implements LockBackend {

    /**
     * The id this backend is selected by.
     *
     * @since 0.2
     */
    public static final String ID = "etcd";

    /**
     * The priority: below every local backend ({@code nio} is 10, the example {@code mkdir} 5), so that
     * {@code auto} never picks it on a host that can lock locally.
     *
     * @since 0.2
     */
    public static final int PRIORITY = 1;

    /** The cause of unavailability without endpoints. */
    static final String NO_ENDPOINTS = "no etcd endpoints configured (dev.pidlock.etcd.endpoints / "
            + "PIDLOCK_ETCD_ENDPOINTS)";

    private final Supplier<EtcdConfig> configSource;
    private volatile EtcdConfig config;
    private volatile Availability availability;
    private volatile EtcdClient client;

    /**
     * The backend as {@link java.util.ServiceLoader} makes it: configured from system properties and the
     * environment ({@link EtcdConfig#fromEnvironment()}), read at the first use.
     *
     * @since 0.2
     */
    public EtcdBackend() {
        this.configSource = EtcdConfig::fromEnvironment;
    }

    /**
     * A backend with its own configuration; pass it to {@link dev.pidlock.PidLock.Builder#backend(LockBackend)}.
     *
     * @param config the endpoints, key prefix, lease TTL, TLS and authentication
     * @since 0.2
     */
    public EtcdBackend(EtcdConfig config) {
        Objects.requireNonNull(config, "config");
        this.configSource = () -> config;
    }

    /** For tests: a backend whose configuration is read at first use from {@code source}. */
    EtcdBackend(Supplier<EtcdConfig> source) {
        this.configSource = source;
    }

    /**
     * @return {@value #ID}
     * @since 0.2
     */
    @Override
    public String id() {
        return ID;
    }

    /**
     * @return {@value #PRIORITY}, below every local backend
     * @since 0.2
     */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * @return {@link Capability#LEASED} and {@link Capability#PROBE_WITHOUT_ACQUIRING}: not released by the
     *         kernel on death (the lease expires after its TTL), no descriptor scope, no kernel wait
     * @since 0.2
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.LEASED, Capability.PROBE_WITHOUT_ACQUIRING);
    }

    /**
     * Available when endpoints are configured (without contacting the cluster); unavailable with the cause
     * otherwise, or when the configuration is malformed. Decided once.
     *
     * @return the answer
     * @since 0.2
     */
    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                a = availability;
                if (a == null) {
                    try {
                        EtcdConfig c = config();
                        a = c.endpoints().isEmpty() ? Availability.unavailable(NO_ENDPOINTS) : Availability.available();
                    } catch (IllegalArgumentException e) {
                        a = Availability.unavailable("etcd configuration: " + e.getMessage(), e);
                    }
                    availability = a;
                }
            }
        }
        return a;
    }

    private EtcdConfig config() {
        EtcdConfig c = config;
        if (c == null) {
            synchronized (this) {
                c = config;
                if (c == null) {
                    c = configSource.get();
                    config = c;
                }
            }
        }
        return c;
    }

    private EtcdClient client() throws IOException {
        EtcdClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    Availability a = availability();
                    if (!a.isAvailable()) {
                        throw new IOException("backend etcd is unavailable: " + a.cause().orElse(""));
                    }
                    c = new EtcdClient(config());
                    client = c;
                }
            }
        }
        return c;
    }

    /**
     * The key on the cluster for a pidfile: the prefix, then the file name without {@code .pid}.
     *
     * @param pidfile a pidfile
     * @return its key
     * @since 0.2
     */
    public String keyFor(Path pidfile) {
        String name = pidfile.getFileName().toString();
        if (name.endsWith(".pid") && name.length() > 4) {
            name = name.substring(0, name.length() - 4);
        }
        return config().prefix() + name;
    }

    /**
     * The key of {@code file} on the cluster ({@link #keyFor(Path)}), not taken yet.
     *
     * @param file    the open pidfile
     * @param request how it was opened; an inheritable request is refused (a key cannot cross {@code exec})
     * @return the exclusion
     * @throws IOException when the backend is unavailable, or the request is inheritable
     * @since 0.2
     */
    @Override
    public Exclusion exclusion(OpenPidFile file, OpenRequest request) throws IOException {
        if (request.inheritable()) {
            throw new IOException("lock " + file.path() + ": the etcd backend's lock is a key on a cluster, not a"
                    + " descriptor; it cannot be passed across exec");
        }
        return new EtcdLock(client(), keyFor(file.path()), config().leaseTtl());
    }

    /**
     * Looks at the key of {@code pidfile} ({@link #keyFor(Path)}) on the cluster, whether or not the pidfile exists
     * here: the holder it records (host, pid, start time, boot id) and its fencing token. A holder of this host
     * whose pid is certainly dead is reported free, as for {@link Exclusion#probe()}.
     *
     * @param pidfile the pidfile whose lock to look at
     * @return the probe, always present
     * @throws IOException when the backend is unavailable or the cluster cannot be reached (one line, naming the
     *                     endpoint)
     * @since 0.2
     */
    @Override
    public Optional<LockProbe> probe(Path pidfile) throws IOException {
        return Optional.of(new EtcdLock(client(), keyFor(pidfile), config().leaseTtl()).probe());
    }

    /**
     * @return {@code LockBackend[etcd]}
     * @since 0.2
     */
    @Override
    public String toString() {
        return "LockBackend[etcd]";
    }
}
