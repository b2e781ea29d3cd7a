package dev.pidlock.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who holds a lock that does not live in this host's kernel (a key on a coordination service, see
 * {@link Capability#LEASED}), as the lock itself records it. pidlock reports it and never judges the process it
 * names unless {@link #thisHost()} says the pid is one of this host's.
 *
 * @param host         the holder's host name, as the holder recorded it; empty when unknown
 * @param pid          the holder's pid on that host
 * @param startTime    when the holder process started, when recorded
 * @param bootId       that host's boot id, when recorded
 * @param fencingToken the fencing token of the holding, when the backend has one
 * @param thisHost     whether the holder is a process of this host and this boot (same host name and boot id)
 * @param where        where the lock lives, for messages, for example {@code etcd key /pidlock/nightly}
 * @since 0.2
 */
public record LockHolder(String host, long pid, Optional<Instant> startTime, Optional<String> bootId,
                         OptionalLong fencingToken, boolean thisHost, String where) {

    /**
     * A holder description; every argument is required (use empty optionals for what is unknown).
     *
     * @since 0.2
     */
    public LockHolder {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(fencingToken, "fencingToken");
        Objects.requireNonNull(where, "where");
    }
}
