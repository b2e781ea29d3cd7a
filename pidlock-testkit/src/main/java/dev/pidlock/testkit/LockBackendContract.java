package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The whole conformance kit for one {@link dev.pidlock.spi.LockBackend}, tested with real child JVMs: a
 * backend module subclasses this and names its backend id.
 *
 * <pre>{@code
 * class NioBackendTest extends LockBackendContract {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>Besides its own cases (the backend is found, on the module path and on the class path, and declares
 * consistent capabilities), it runs every topic of the kit as a {@link Nested} group: {@link ExclusionCases},
 * {@link StaleCases}, {@link InspectionCases}, {@link PidFileCases}, {@link SameJvmCases}, {@link StoreCases}
 * and {@link WaitingCases}. A case that does not apply to the backend's declared capabilities is skipped, and the
 * skip says why ({@code nio lacks PROBE_WITHOUT_ACQUIRING: …}).
 *
 * @since 0.1
 */
public abstract class LockBackendContract {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected LockBackendContract() {
    }

    /**
     * @return the id of the backend under test, as {@link PidLock.Builder#backend(String)} takes it
     * @since 0.1
     */
    protected abstract String backendId();

    private Optional<BackendInfo> info() {
        return PidLock.backends().stream().filter(b -> b.id().equals(backendId())).findFirst();
    }

    /** The backend is found, available, and listed by {@link PidLock#backends()}. */
    @Test
    void backendIsFoundAndAvailable() {
        Optional<BackendInfo> info = info();
        assertTrue(info.isPresent(), "backend " + backendId() + " not found among " + PidLock.backends());
        assertTrue(info.get().available(), "backend " + backendId() + " unavailable: " + info.get().cause());
    }

    /**
     * A child JVM with everything on the class path finds the backend through {@code META-INF/services}.
     *
     * @throws IOException when the child cannot start
     */
    @Test
    void backendIsFoundOnTheClassPath() throws IOException {
        try (ChildProcess c = ChildProcess.lockChild("backends")) {
            assertEquals(0, c.waitFor(), c.stderr());
            List<String> seen = c.remainingLines();
            assertTrue(seen.stream().anyMatch(l -> l.startsWith("BACKEND " + backendId() + " true ")),
                    "child did not find " + backendId() + " available: " + seen);
        }
    }

    /**
     * The declared capabilities do not contradict each other: a lock has at most one scope, and a backend
     * that names the holder from the kernel can probe.
     */
    @Test
    void declaredCapabilitiesAreConsistent() {
        Set<Capability> c = info().orElseThrow().capabilities();
        assertFalse(c.contains(Capability.PROCESS_SCOPE) && c.contains(Capability.OPEN_FILE_DESCRIPTION_SCOPE),
                backendId() + " declares both scopes: " + c);
        assertTrue(!c.contains(Capability.REPORTS_HOLDER_PID) || c.contains(Capability.PROBE_WITHOUT_ACQUIRING),
                backendId() + " reports the holder's pid but cannot probe: " + c);
    }

    /** {@link ExclusionCases} for the backend under test. */
    @Nested
    class Exclusion extends ExclusionCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link StaleCases} for the backend under test. */
    @Nested
    class Stale extends StaleCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link InspectionCases} for the backend under test. */
    @Nested
    class Inspection extends InspectionCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link PidFileCases} for the backend under test. */
    @Nested
    class PidFile extends PidFileCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link SameJvmCases} for the backend under test. */
    @Nested
    class SameJvm extends SameJvmCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link StoreCases} for the backend under test. */
    @Nested
    class Store extends StoreCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }

    /** {@link WaitingCases} for the backend under test. */
    @Nested
    class Waiting extends WaitingCases {
        @Override
        protected String backendId() {
            return LockBackendContract.this.backendId();
        }
    }
}
