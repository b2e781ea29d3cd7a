package dev.pidlock;

import dev.pidlock.spi.Capability;
import java.util.Optional;
import java.util.Set;

/**
 * A backend as pidlock found it: what {@link PidLock#backends()} lists.
 *
 * @param id           the id it is selected by
 * @param module       the module (or, on the class path, the jar or "unnamed") it came from
 * @param priority     its rank for {@code auto}
 * @param available    whether it can lock here
 * @param cause        why not, when it cannot
 * @param capabilities what it guarantees
 * @param isDefault    whether {@code auto} picks it
 * @since 0.1
 */
public record BackendInfo(String id, String module, int priority, boolean available, Optional<String> cause,
                          Set<Capability> capabilities, boolean isDefault) {

    /**
     * Keeps an unmodifiable copy of {@code capabilities}.
     *
     * @param id           the id it is selected by
     * @param module       the module (or, on the class path, the jar or "unnamed") it came from
     * @param priority     its rank for {@code auto}
     * @param available    whether it can lock here
     * @param cause        why not, when it cannot
     * @param capabilities what it guarantees
     * @param isDefault    whether {@code auto} picks it
     * @since 0.1
     */
    public BackendInfo {
        capabilities = Set.copyOf(capabilities);
    }
}
