/**
 * Backend {@code etcd}, {@link dev.pidlock.etcd.EtcdBackend}: one holder across a fleet, as a key bound to a lease
 * on an etcd v3 cluster, configured by {@link dev.pidlock.etcd.EtcdConfig}; failures to reach the cluster are
 * {@link dev.pidlock.etcd.EtcdException}s.
 *
 * @since 0.2
 */
package dev.pidlock.etcd;
