package dev.pidlock;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The providers of one service that {@link ServiceLoader} found, and the ones it could not load: the one loop
 * over {@code ServiceLoader} for backends, stale detectors and ownership policies. A provider that fails to
 * load is recorded, never fatal to the others.
 *
 * @param providers the providers that loaded, in the order found
 * @param failures  the ones that did not
 * @param <T>       the service type
 */
record ServiceProviders<T>(List<T> providers, List<LoadFailure> failures) {

    ServiceProviders {
        providers = List.copyOf(providers);
        failures = List.copyOf(failures);
    }

    /**
     * A provider that could not be loaded.
     *
     * @param provider the provider's class, when it was found (not when the class itself is missing or broken)
     * @param error    what {@link ServiceLoader} threw
     */
    record LoadFailure(Optional<Class<?>> provider, ServiceConfigurationError error) {

        /** @return the error's message, and its cause's (the provider's own exception) when there is one */
        String reason() {
            Throwable cause = error.getCause();
            return cause == null ? error.getMessage() : error.getMessage() + ": " + cause;
        }
    }

    /**
     * Loads every provider of {@code service} visible to {@code loader}.
     *
     * @param service the service type, which this module {@code uses}
     * @param loader  where to look, besides the module layer
     * @param <T>     the service type
     * @return what was found
     */
    static <T> ServiceProviders<T> load(Class<T> service, ClassLoader loader) {
        List<T> providers = new ArrayList<>();
        List<LoadFailure> failures = new ArrayList<>();
        Iterator<ServiceLoader.Provider<T>> it = ServiceLoader.load(service, loader).stream().iterator();
        while (true) {
            ServiceLoader.Provider<T> next;
            try {
                if (!it.hasNext()) {
                    return new ServiceProviders<>(providers, failures);
                }
                next = it.next();
            } catch (ServiceConfigurationError e) {
                failures.add(new LoadFailure(Optional.empty(), e));
                continue;
            }
            try {
                providers.add(next.get());
            } catch (ServiceConfigurationError e) {
                failures.add(new LoadFailure(Optional.of(next.type()), e));
            }
        }
    }

    /**
     * The message for an id that no provider has, in the same words for every kind of provider.
     *
     * @param kind     what the id names, for example {@code backend}
     * @param id       the id asked for
     * @param property the system property the id came from, or null when it was given to the builder
     * @param known    the ids there are
     * @param failures the providers that failed to load, one of which may have had the id
     * @return one line
     */
    static String unknownId(String kind, String id, String property, List<String> known,
                            List<LoadFailure> failures) {
        StringBuilder sb = new StringBuilder("no ").append(kind).append(" has id \"").append(id).append('"');
        if (property != null) {
            sb.append(" (from system property ").append(property).append(')');
        }
        sb.append("; known: ").append(known.isEmpty() ? "none" : String.join(", ", known));
        for (LoadFailure f : failures) {
            sb.append(" [failed to load: ").append(f.reason()).append(']');
        }
        return sb.toString();
    }
}
