package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.OwnershipPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one loop over ServiceLoader: a provider that fails to load is recorded, and the others still load. */
class ServiceProvidersTest {

    @TempDir
    Path dir;

    /** A policy provider whose constructor throws. */
    public static final class Throwing implements OwnershipPolicy {
        /** Throws. */
        public Throwing() {
            throw new IllegalStateException("this provider is broken on purpose");
        }
    }

    /** A policy provider that loads. */
    public static final class Working implements OwnershipPolicy {
        @Override
        public String id() {
            return "working";
        }
    }

    @Test
    void aProviderThatFailsToLoadIsRecordedAndTheOthersStillLoad() throws IOException {
        ClassLoader loader = new ProvidersOnly(dir, OwnershipPolicy.class,
                List.of("dev.pidlock.NoSuchPolicy", Throwing.class.getName(), Working.class.getName()));

        ServiceProviders<OwnershipPolicy> found = ServiceProviders.load(OwnershipPolicy.class, loader);

        assertEquals(List.of("working"), found.providers().stream().map(OwnershipPolicy::id).toList(),
                "the provider after the broken ones still loads");
        assertEquals(2, found.failures().size(), found.failures().toString());
        ServiceProviders.LoadFailure missing = found.failures().get(0);
        assertEquals(Optional.empty(), missing.provider(), "a class that is not there has no type");
        assertTrue(missing.reason().contains("dev.pidlock.NoSuchPolicy"), missing.reason());
        ServiceProviders.LoadFailure throwing = found.failures().get(1);
        assertEquals(Optional.of(Throwing.class.getName()), throwing.provider().map(Class::getName));
        assertInstanceOf(IllegalStateException.class, throwing.error().getCause());
        assertTrue(throwing.reason().contains("this provider is broken on purpose"),
                "the provider's own exception is part of the reason: " + throwing.reason());
    }

    @Test
    void anUnknownIdReadsTheSameForEveryKindOfProvider() {
        ServiceProviders.LoadFailure failure = new ServiceProviders.LoadFailure(Optional.empty(),
                new java.util.ServiceConfigurationError("x: Provider y not found"));
        assertEquals("no backend has id \"zk\"; known: nio, ofd [failed to load: x: Provider y not found]",
                ServiceProviders.unknownId("backend", "zk", null, List.of("nio", "ofd"), List.of(failure)));
        assertEquals("no ownership policy has id \"zk\" (from system property dev.pidlock.ownership); known: none",
                ServiceProviders.unknownId("ownership policy", "zk", "dev.pidlock.ownership", List.of(), List.of()));
    }

    /**
     * Lists only the given providers of one service, and defines the test's provider classes itself: in the
     * unnamed module, where {@link java.util.ServiceLoader} looks for class path providers (the test classes
     * themselves are patched into the named module {@code dev.pidlock.api}).
     */
    static final class ProvidersOnly extends ClassLoader {
        private final URL services;
        private final Map<String, Class<?>> own = Map.of(Throwing.class.getName(), Throwing.class,
                Working.class.getName(), Working.class);

        ProvidersOnly(Path dir, Class<?> service, List<String> providers) throws IOException {
            super(ServiceProvidersTest.class.getClassLoader());
            Path file = dir.resolve(service.getName());
            Files.write(file, providers);
            this.services = file.toUri().toURL();
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            Class<?> template = own.get(name);
            if (template == null) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String file = name.substring(name.lastIndexOf('.') + 1) + ".class";
                    try (InputStream in = template.getResourceAsStream(file)) {
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return c;
            }
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            return name.startsWith("META-INF/services/") && services.getPath().endsWith(name.substring(18))
                    ? Collections.enumeration(List.of(services)) : Collections.emptyEnumeration();
        }
    }
}
