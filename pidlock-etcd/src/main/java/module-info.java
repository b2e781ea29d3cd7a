/**
 * Backend {@code etcd}: one holder across a fleet. A named lock is a key on an etcd v3 cluster, created in a
 * transaction only when absent and bound to a lease its holder keeps alive; the key's {@code create_revision}
 * is the lock's fencing token. Spoken to over etcd's JSON gateway with {@code java.net.http} and jackson-core.
 * Exports its package so that an application can pass {@code new EtcdBackend(config)} to the builder; also
 * found with {@link java.util.ServiceLoader}, configured from system properties and the environment.
 *
 * @provides dev.pidlock.spi.LockBackend
 * @since 0.2
 */
module dev.pidlock.etcd {
    requires transitive dev.pidlock.api;
    requires java.net.http;
    requires com.fasterxml.jackson.core;

    exports dev.pidlock.etcd;

    provides dev.pidlock.spi.LockBackend with dev.pidlock.etcd.EtcdBackend;
}
