package dev.pidlock;

import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.StaleDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Stale detectors and ownership policies found with {@link ServiceLoader}, loaded once. Extra detectors join
 * the default chain; policies are selected by id (builder, or the {@value #POLICY_PROPERTY} property).
 */
final class Extensions {
    static final String POLICY_PROPERTY = "dev.pidlock.ownership";

    private static final class Loaded {
        static final ServiceProviders<StaleDetector> DETECTORS = load(StaleDetector.class);
        static final ServiceProviders<OwnershipPolicy> POLICIES = load(OwnershipPolicy.class);
        static final StaleDetector DEFAULT_CHAIN = chain();

        private static StaleDetector chain() {
            List<StaleDetector> all = new ArrayList<>();
            all.add(StaleDetector.defaults());
            all.addAll(DETECTORS.providers());
            return all.size() == 1 ? all.get(0) : StaleDetector.allOf(all.toArray(StaleDetector[]::new));
        }
    }

    private Extensions() {
    }

    static StaleDetector defaultDetector() {
        return Loaded.DEFAULT_CHAIN;
    }

    /**
     * @param id the id given to the builder, or null to use the {@value #POLICY_PROPERTY} property's
     * @return the policy with that id; the default policy when neither names one
     * @throws NoProviderException when no policy has the id
     */
    static OwnershipPolicy policy(String id) {
        String wanted = id != null ? id : System.getProperty(POLICY_PROPERTY);
        if (wanted == null || wanted.isBlank()) {
            return OwnershipPolicy.defaults();
        }
        String w = wanted.strip();
        if (OwnershipPolicy.defaults().id().equals(w)) {
            return OwnershipPolicy.defaults();
        }
        for (OwnershipPolicy p : Loaded.POLICIES.providers()) {
            if (p.id().equals(w)) {
                return p;
            }
        }
        throw new NoProviderException(ServiceProviders.unknownId("ownership policy", w,
                id == null ? POLICY_PROPERTY : null,
                Stream.concat(Stream.of(OwnershipPolicy.defaults().id()),
                        Loaded.POLICIES.providers().stream().map(OwnershipPolicy::id)).collect(Collectors.toList()),
                Loaded.POLICIES.failures()));
    }

    private static <T> ServiceProviders<T> load(Class<T> type) {
        ServiceProviders<T> found = ServiceProviders.load(type, Extensions.class.getClassLoader());
        for (ServiceProviders.LoadFailure f : found.failures()) {
            System.getLogger("dev.pidlock").log(System.Logger.Level.WARNING,
                    "could not load a " + type.getSimpleName() + ": " + f.error().getMessage());
        }
        return found;
    }
}
