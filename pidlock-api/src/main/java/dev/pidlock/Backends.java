package dev.pidlock;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Discovers backends with {@link ServiceLoader} once, and selects one: an explicit id first (builder, then
 * the {@value #PROPERTY} system property), otherwise the available backend of highest priority. A requested
 * backend that cannot lock is an error, never a silent fallback.
 */
final class Backends {

    static final String PROPERTY = "dev.pidlock.backend";
    static final String AUTO = "auto";
    /** The id and module of a provider that failed to load before its class was known. */
    private static final String UNKNOWN = "?";

    private record Found(List<LockBackend> backends, List<ServiceProviders.LoadFailure> loadFailures) {
    }

    private static volatile Found found;

    private Backends() {
    }

    private static Found found() {
        Found f = found;
        if (f == null) {
            synchronized (Backends.class) {
                f = found;
                if (f == null) {
                    f = discover();
                    found = f;
                }
            }
        }
        return f;
    }

    private static Found discover() {
        ServiceProviders<LockBackend> loaded =
                ServiceProviders.load(LockBackend.class, Backends.class.getClassLoader());
        List<LockBackend> backends = new ArrayList<>();
        for (LockBackend b : loaded.providers()) {
            if (backends.stream().noneMatch(x -> x.id().equals(b.id()))) {
                backends.add(b);
            }
        }
        backends.sort(Comparator.comparingInt(LockBackend::priority).reversed().thenComparing(LockBackend::id));
        return new Found(List.copyOf(backends), loaded.failures());
    }

    static List<LockBackend> all() {
        return found().backends();
    }

    static String moduleOf(LockBackend b) {
        return moduleOf(b.getClass());
    }

    /**
     * @return the named module {@code type} is in; on the class path, {@code "class path: "} and the last
     *         element of the jar's or folder's location, or only {@code "class path"} when that is unknown
     */
    private static String moduleOf(Class<?> type) {
        Module m = type.getModule();
        if (m.isNamed()) {
            return m.getName();
        }
        var source = type.getProtectionDomain().getCodeSource();
        if (source != null && source.getLocation() != null) {
            String loc = source.getLocation().getPath();
            return "class path: " + loc.substring(loc.lastIndexOf('/', loc.length() - 2) + 1);
        }
        return "class path";
    }

    static BackendInfo describe(LockBackend b) {
        return describe(b, autoChoice(all(), Set.of()));
    }

    /** @return every backend found, highest priority first, then every provider that failed to load */
    static List<BackendInfo> describe() {
        LockBackend auto = autoChoice(all(), Set.of());
        List<BackendInfo> out = new ArrayList<>();
        for (LockBackend b : all()) {
            out.add(describe(b, auto));
        }
        for (ServiceProviders.LoadFailure f : found().loadFailures()) {
            out.add(describe(f));
        }
        return List.copyOf(out);
    }

    private static BackendInfo describe(LockBackend b, LockBackend auto) {
        Availability a = b.availability();
        return new BackendInfo(b.id(), moduleOf(b), b.priority(), a.isAvailable(), a.cause(), b.capabilities(),
                b == auto, true);
    }

    private static BackendInfo describe(ServiceProviders.LoadFailure f) {
        return new BackendInfo(f.provider().map(Class::getName).orElse(UNKNOWN),
                f.provider().map(Backends::moduleOf).orElse(UNKNOWN), Integer.MIN_VALUE,
                false, Optional.of("failed to load: " + f.reason()), Set.of(), false, false);
    }

    /**
     * @param explicit a backend instance given to the builder, or null
     * @param id       an id given to the builder, or null
     * @param required capabilities the caller needs
     */
    static LockBackend select(LockBackend explicit, String id, Set<Capability> required) {
        if (explicit != null) {
            return checked(explicit, required);
        }
        String wanted = id != null ? id : System.getProperty(PROPERTY);
        if (wanted != null && !wanted.isBlank() && !wanted.strip().toLowerCase(Locale.ROOT).equals(AUTO)) {
            String w = wanted.strip();
            for (LockBackend b : all()) {
                if (b.id().equals(w)) {
                    return checked(b, required);
                }
            }
            throw new NoBackendException(ServiceProviders.unknownId("backend", w, id == null ? PROPERTY : null,
                    all().stream().map(LockBackend::id).collect(Collectors.toList()), found().loadFailures())
                    + hint());
        }
        LockBackend chosen = autoChoice(all(), required);
        if (chosen == null) {
            throw new NoBackendException(noneCanLock(required));
        }
        return chosen;
    }

    private static LockBackend checked(LockBackend b, Set<Capability> required) {
        Availability a = b.availability();
        if (!a.isAvailable()) {
            throw new BackendUnavailableException(b.id(), "backend " + b.id() + " (" + moduleOf(b)
                    + ") is unavailable: " + a.cause().orElse("no cause given"), a.error().orElse(null));
        }
        Set<Capability> missing = missing(b, required);
        if (!missing.isEmpty()) {
            throw new BackendUnavailableException(b.id(), "backend " + b.id() + " lacks required "
                    + "capabilities " + missing, null);
        }
        return b;
    }

    private static LockBackend autoChoice(List<LockBackend> all, Set<Capability> required) {
        for (LockBackend b : all) {
            if (b.availability().isAvailable() && missing(b, required).isEmpty()) {
                return b;
            }
        }
        return null;
    }

    private static Set<Capability> missing(LockBackend b, Set<Capability> required) {
        if (required.isEmpty()) {
            return Set.of();
        }
        return required.stream().filter(c -> !b.capabilities().contains(c)).collect(Collectors.toSet());
    }

    private static String noneCanLock(Set<Capability> required) {
        StringBuilder sb = new StringBuilder("no pidlock backend can lock");
        if (!required.isEmpty()) {
            sb.append(" with capabilities ").append(required);
        }
        if (all().isEmpty()) {
            sb.append(": none was found");
        } else {
            sb.append("; candidates:");
            for (LockBackend b : all()) {
                Availability a = b.availability();
                sb.append(" [").append(b.id()).append(" from ").append(moduleOf(b))
                        .append(", priority ").append(b.priority()).append(": ");
                if (!a.isAvailable()) {
                    sb.append("unavailable, ").append(a.cause().orElse("no cause given"));
                } else {
                    sb.append("lacks ").append(missing(b, required));
                }
                sb.append(']');
            }
        }
        for (ServiceProviders.LoadFailure failure : found().loadFailures()) {
            sb.append(" [failed to load: ").append(failure.reason()).append(']');
        }
        return sb.append(hint()).toString();
    }

    private static String hint() {
        return "; add a backend module (pidlock-fcntl-jna, pidlock-lockf or pidlock-nio) to the module path"
                + " or class path";
    }
}
