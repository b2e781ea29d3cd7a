package dev.pidlock;

import dev.pidlock.spi.Capability;
import java.util.Optional;
import java.util.Set;

/**
 * A backend as pidlock found it: what {@link PidLock#backends()} lists. A provider that
 * {@link java.util.ServiceLoader} could not load is listed too, with {@link #loaded()} false, so that a broken
 * backend jar is reported instead of silently missing.
 *
 * @param id           the id it is selected by; for a provider that failed to load, which has no id, its class
 *                     name, or {@code ?} when even the class could not be found
 * @param module       the name of the module it came from; on the class path {@code class path: } and the last
 *                     element of its jar's or folder's location (or only {@code class path} when that is
 *                     unknown); {@code ?} for a provider whose class could not be found
 * @param priority     its rank for {@code auto}; {@link Integer#MIN_VALUE} for a provider that failed to load
 * @param available    whether it can lock here (never, when it failed to load)
 * @param cause        why not, when it cannot: for a provider that failed to load, {@code failed to load: } and
 *                     what {@link java.util.ServiceLoader} said, with the provider's own exception
 * @param capabilities what it guarantees (none, when it failed to load)
 * @param isDefault    whether {@code auto} picks it
 * @param loaded       whether its provider could be loaded and instantiated
 * @since 0.1
 */
public record BackendInfo(String id, String module, int priority, boolean available, Optional<String> cause,
                          Set<Capability> capabilities, boolean isDefault, boolean loaded) {

    /**
     * Keeps an unmodifiable copy of {@code capabilities}.
     *
     * @param id           the id it is selected by, or the class name of a provider that failed to load
     * @param module       the module (or, on the class path, {@code class path: } and the jar) it came from
     * @param priority     its rank for {@code auto}
     * @param available    whether it can lock here
     * @param cause        why not, when it cannot
     * @param capabilities what it guarantees
     * @param isDefault    whether {@code auto} picks it
     * @param loaded       whether its provider could be loaded and instantiated
     * @since 0.2
     */
    public BackendInfo {
        capabilities = Set.copyOf(capabilities);
    }

    /**
     * A backend whose provider loaded.
     *
     * @param id           the id it is selected by
     * @param module       the module (or, on the class path, {@code class path: } and the jar) it came from
     * @param priority     its rank for {@code auto}
     * @param available    whether it can lock here
     * @param cause        why not, when it cannot
     * @param capabilities what it guarantees
     * @param isDefault    whether {@code auto} picks it
     * @since 0.1
     */
    public BackendInfo(String id, String module, int priority, boolean available, Optional<String> cause,
                       Set<Capability> capabilities, boolean isDefault) {
        this(id, module, priority, available, cause, capabilities, isDefault, true);
    }
}
