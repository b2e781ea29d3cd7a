package dev.pidlock;

import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.StaleDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Stale detectors and ownership policies found with {@link ServiceLoader}, loaded once. Extra detectors join
 * the default chain; policies are selected by id (builder, or the {@value #POLICY_PROPERTY} property).
 */
final class Extensions {
    static final String POLICY_PROPERTY = "dev.pidlock.ownership";

    private static final class Loaded {
        static final List<StaleDetector> DETECTORS = load(StaleDetector.class);
        static final List<OwnershipPolicy> POLICIES = load(OwnershipPolicy.class);
        static final StaleDetector DEFAULT_CHAIN = chain();

        private static StaleDetector chain() {
            List<StaleDetector> all = new ArrayList<>();
            all.add(StaleDetector.defaults());
            all.addAll(DETECTORS);
            return all.size() == 1 ? all.get(0) : StaleDetector.allOf(all.toArray(StaleDetector[]::new));
        }
    }

    private Extensions() {
    }

    static StaleDetector defaultDetector() {
        return Loaded.DEFAULT_CHAIN;
    }

    static OwnershipPolicy defaultPolicy() {
        String id = System.getProperty(POLICY_PROPERTY);
        return id == null || id.isBlank() ? OwnershipPolicy.defaults() : policy(id.strip());
    }

    static OwnershipPolicy policy(String id) {
        if (OwnershipPolicy.defaults().id().equals(id)) {
            return OwnershipPolicy.defaults();
        }
        for (OwnershipPolicy p : Loaded.POLICIES) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new PidLockException(null, "no ownership policy has id \"" + id + "\"; known: default"
                + Loaded.POLICIES.stream().map(p -> ", " + p.id()).collect(Collectors.joining()), null);
    }

    private static <T> List<T> load(Class<T> type) {
        List<T> out = new ArrayList<>();
        var it = ServiceLoader.load(type, Extensions.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return List.copyOf(out);
                }
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                System.getLogger("dev.pidlock").log(System.Logger.Level.WARNING,
                        "could not load a " + type.getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
