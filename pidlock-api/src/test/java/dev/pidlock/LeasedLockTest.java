package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PidLock#fencingToken()}, {@link PidLock#onLost(Runnable)} and {@link PidLock#isHeld()} over an exclusion
 * that can be lost ({@link Capability#LEASED}), and the defaults of every other backend.
 */
class LeasedLockTest {

    @TempDir
    Path dir;

    /** A lease the test loses by hand: token 42, whether held or not. */
    static final class Lease implements Exclusion {
        boolean held;
        volatile boolean lost;
        final List<Runnable> listeners = new ArrayList<>();

        @Override
        public boolean tryLock() {
            held = true;
            return true;
        }

        @Override
        public LockProbe probe() {
            return held ? LockProbe.held() : LockProbe.free();
        }

        @Override
        public void unlock() {
            held = false;
        }

        @Override
        public OptionalLong fencingToken() {
            return OptionalLong.of(42); // even after unlock: pidlock must not pass it on then
        }

        @Override
        public boolean lost() {
            return lost;
        }

        @Override
        public synchronized void onLost(Runnable r) {
            if (lost) {
                r.run();
            } else {
                listeners.add(r);
            }
        }

        synchronized void lose() {
            lost = true;
            listeners.forEach(Runnable::run);
        }
    }

    static final class LeaseBackend implements LockBackend {
        final Lease lease = new Lease();

        @Override
        public String id() {
            return "lease";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.LEASED);
        }

        @Override
        public Availability availability() {
            return Availability.available();
        }

        @Override
        public Exclusion exclusion(OpenPidFile file, OpenRequest request) {
            return lease;
        }
    }

    @Test
    void aLostLeaseIsNotHeldAndItsListenersAreCalledOnce() {
        LeaseBackend backend = new LeaseBackend();
        AtomicInteger called = new AtomicInteger();
        try (PidLock lock = PidLock.at(dir.resolve("l.pid")).backend(backend).acquire()) {
            assertEquals(OptionalLong.of(42), lock.fencingToken());
            lock.onLost(called::incrementAndGet);
            assertTrue(lock.isHeld());
            assertEquals(0, called.get());
            backend.lease.lose();
            assertFalse(lock.isHeld(), "lost");
            assertEquals(1, called.get());
            AtomicInteger late = new AtomicInteger();
            lock.onLost(late::incrementAndGet);
            assertEquals(1, late.get(), "a listener registered after the loss runs at once");
        }
        assertFalse(backend.lease.held, "a lost lock is still released (unlocked) by close");
    }

    @Test
    void aReleasedLockHasNoToken() {
        LeaseBackend backend = new LeaseBackend();
        PidLock lock = PidLock.at(dir.resolve("l.pid")).backend(backend).acquire();
        lock.close();
        assertEquals(OptionalLong.empty(), lock.fencingToken());
    }

    @Test
    void aKernelLockHasNoTokenAndIsNeverLost() {
        AtomicInteger called = new AtomicInteger();
        try (PidLock lock = PidLock.at(dir.resolve("k.pid")).backend(TestBackend.INSTANCE).acquire()) {
            lock.onLost(called::incrementAndGet);
            assertEquals(OptionalLong.empty(), lock.fencingToken());
            assertTrue(lock.isHeld());
        }
        assertEquals(0, called.get());
    }
}
