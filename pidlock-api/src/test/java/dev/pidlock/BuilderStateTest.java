package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OwnershipPolicy;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder refuses to set one thing two ways, and an id that nothing has fails the same way for backends and
 * ownership policies, whether the builder or a system property names it.
 */
class BuilderStateTest {

    /** What every unknown id says, whatever kind of provider it was meant for. */
    static final Pattern UNKNOWN = Pattern.compile(
            "no (backend|ownership policy) has id \"zookeeper\"( \\(from system property dev\\.pidlock\\."
                    + "(backend|ownership)\\))?; known: .*");

    @TempDir
    Path dir;

    /** A backend instance that is never used: the builder only stores it. */
    static LockBackend unusedBackend() {
        return (LockBackend) Proxy.newProxyInstance(LockBackend.class.getClassLoader(),
                new Class<?>[] {LockBackend.class}, (proxy, method, args) -> {
                    throw new AssertionError("not used: " + method);
                });
    }

    @Test
    void aBackendIdAfterABackendInstanceIsRefusedNamingBothCalls() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend(unusedBackend()).backend("nio"));
        assertEquals("backend(String) after backend(LockBackend): the backend was set already; set it one way",
                e.getMessage());
    }

    @Test
    void aBackendInstanceAfterABackendIdIsRefusedNamingBothCalls() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend("nio").backend(unusedBackend()));
        assertEquals("backend(LockBackend) after backend(String): the backend was set already; set it one way",
                e.getMessage());
    }

    @Test
    void aPolicyIdAfterAPolicyIsRefusedAndTheOtherWayRound() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PidLock.at(dir.resolve("a.pid")).ownership(OwnershipPolicy.defaults()).ownership("default"));
        assertEquals("ownership(String) after ownership(OwnershipPolicy): the ownership policy was set already;"
                + " set it one way", e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> PidLock.at(dir.resolve("a.pid")).ownership("default").ownership(OwnershipPolicy.defaults()));
        assertEquals("ownership(OwnershipPolicy) after ownership(String): the ownership policy was set already;"
                + " set it one way", e.getMessage());
    }

    @Test
    void aDirectoryForALockAtAPathIsRefusedTheSameWay() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PidLock.at(dir.resolve("a.pid")).directory(dir));
        assertEquals("directory(Path) after at(Path): the pidfile's location was set already; set it one way",
                e.getMessage());
    }

    @Test
    void settingOneThingTheSameWayTwiceIsNoConflict() {
        PidLock.at(dir.resolve("a.pid")).backend("nio").backend("auto").ownership("default").ownership("default");
        PidLock.named("a").directory(dir).directory(dir);
    }

    @Test
    void anUnknownBackendIdAndAnUnknownPolicyIdFailTheSameWay() {
        NoProviderException backend = assertThrows(NoProviderException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend("zookeeper").acquire());
        NoProviderException policy = assertThrows(NoProviderException.class,
                () -> PidLock.at(dir.resolve("a.pid")).ownership("zookeeper").acquire());
        assertUnknown(backend, "backend", false);
        assertUnknown(policy, "ownership policy", false);
        assertTrue(backend instanceof NoBackendException, "an unknown backend is still a NoBackendException");
        assertTrue(policy.getMessage().contains("known: default"), policy.getMessage());
    }

    @Test
    void anUnknownIdInEitherPropertyFailsTheSameWayAndSaysWhereItCameFrom() {
        assertUnknown(withProperty("dev.pidlock.backend", "zookeeper",
                () -> assertThrows(NoProviderException.class, () -> PidLock.at(dir.resolve("a.pid")).acquire())),
                "backend", true);
        assertUnknown(withProperty("dev.pidlock.ownership", "zookeeper",
                () -> assertThrows(NoProviderException.class, () -> PidLock.at(dir.resolve("a.pid")).acquire())),
                "ownership policy", true);
    }

    private static void assertUnknown(NoProviderException e, String kind, boolean fromProperty) {
        String m = e.getMessage();
        assertTrue(UNKNOWN.matcher(m).matches(), m);
        assertTrue(m.startsWith("no " + kind + " has id"), m);
        assertEquals(fromProperty, m.contains("(from system property"), m);
        assertTrue(e.path().isEmpty(), "no pidfile is concerned: " + e.path());
    }

    private static <T> T withProperty(String name, String value, Supplier<T> action) {
        String before = System.getProperty(name);
        System.setProperty(name, value);
        try {
            return action.get();
        } finally {
            if (before == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, before);
            }
        }
    }
}
