package dev.pidlock.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.BackendInfo;
import dev.pidlock.BackendUnavailableException;
import dev.pidlock.NoBackendException;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selection: explicit id, system property, priority, capability requirements, and the errors. */
class BackendSelectionTest {

    @TempDir
    Path dir;

    /** A backend that never works here, to see how a refusal reads. */
    static final class Broken implements LockBackend {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public int priority() {
            return 1000;
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public Availability availability() {
            return Availability.unavailable("libbroken.so is not installed");
        }

        @Override
        public Exclusion exclusion(OpenPidFile file, OpenRequest request) {
            throw new AssertionError("an unavailable backend must never be asked to lock");
        }
    }

    @Test
    void backendsListsNioFromItsModuleAsTheDefault() {
        BackendInfo nio = PidLock.backends().stream().filter(b -> b.id().equals("nio")).findFirst().orElseThrow();
        assertTrue(nio.available());
        assertTrue(nio.isDefault());
        assertEquals(10, nio.priority());
        assertEquals("dev.pidlock.nio", nio.module(), "found through module-info provides on the module path");
        assertTrue(nio.capabilities().contains(Capability.RELEASED_ON_PROCESS_DEATH));
    }

    @Test
    void autoPicksNio() {
        try (PidLock lock = PidLock.at(dir.resolve("a.pid")).acquire()) {
            assertEquals("nio", lock.backend());
        }
        try (PidLock lock = PidLock.at(dir.resolve("a.pid")).backend("auto").acquire()) {
            assertEquals("nio", lock.backend());
        }
    }

    @Test
    void unknownIdIsAnErrorListingTheKnownOnes() {
        NoBackendException e = assertThrows(NoBackendException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend("zookeeper").acquire());
        assertTrue(e.getMessage().contains("\"zookeeper\"") && e.getMessage().contains("known: nio"), e.getMessage());
    }

    @Test
    void systemPropertySelectsWhenTheBuilderDoesNot() {
        String before = System.getProperty("dev.pidlock.backend");
        System.setProperty("dev.pidlock.backend", "zookeeper");
        try {
            NoBackendException e = assertThrows(NoBackendException.class,
                    () -> PidLock.at(dir.resolve("a.pid")).acquire());
            assertTrue(e.getMessage().contains("system property dev.pidlock.backend"), e.getMessage());
            try (PidLock lock = PidLock.at(dir.resolve("a.pid")).backend("nio").acquire()) {
                assertEquals("nio", lock.backend(), "the builder wins over the property");
            }
        } finally {
            if (before == null) {
                System.clearProperty("dev.pidlock.backend");
            } else {
                System.setProperty("dev.pidlock.backend", before);
            }
        }
    }

    @Test
    void anUnavailableBackendIsAnErrorWithItsCauseNeverAFallback() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend(new Broken()).acquire());
        assertEquals("broken", e.backendId());
        assertTrue(e.getMessage().contains("libbroken.so is not installed"), e.getMessage());
    }

    @Test
    void whenNothingCanLockTheErrorListsEveryCandidateAndWhy() {
        NoBackendException e = assertThrows(NoBackendException.class,
                () -> PidLock.at(dir.resolve("a.pid")).require(Capability.CONFLICTS_WITH_FLOCK).acquire());
        String m = e.getMessage();
        assertTrue(m.contains("nio from dev.pidlock.nio, priority 10: lacks [CONFLICTS_WITH_FLOCK]"), m);
        assertTrue(m.contains("pidlock-fcntl-jna"), "says what to add: " + m);
    }

    @Test
    void aRequiredCapabilityTheChosenBackendLacksIsAnError() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> PidLock.at(dir.resolve("a.pid")).backend("nio").require(Capability.INHERITABLE_ACROSS_EXEC)
                        .acquire());
        assertTrue(e.getMessage().contains("INHERITABLE_ACROSS_EXEC"), e.getMessage());
    }
}
