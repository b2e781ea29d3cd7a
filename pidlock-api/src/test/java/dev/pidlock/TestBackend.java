package dev.pidlock;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.NioPidFileStore;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.Set;

/**
 * The backend pidlock-api's own tests acquire with, since the API module has none: a {@link FileChannel} lock
 * over the java.nio store, waiting with the SPI's default retrying wait. In this JVM the tests pass it as an
 * instance ({@link PidLock.Builder#backend(LockBackend)}); a child JVM on the class path finds it as {@code test}
 * through a {@code META-INF/services} file the test writes.
 */
public final class TestBackend implements LockBackend {
    /** The one instance the tests share. */
    static final TestBackend INSTANCE = new TestBackend();

    /** For {@link java.util.ServiceLoader}. */
    public TestBackend() {
    }

    @Override
    public String id() {
        return "test";
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RELEASED_ON_PROCESS_DEATH, Capability.PROCESS_SCOPE, Capability.CONFLICTS_WITH_FCNTL);
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public Exclusion exclusion(OpenPidFile file, OpenRequest request) {
        FileChannel channel = NioPidFileStore.channel(file);
        return new Exclusion() {
            private FileLock lock;

            @Override
            public boolean tryLock() throws IOException {
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    return false;
                }
                return lock != null;
            }

            @Override
            public LockProbe probe() {
                return LockProbe.unknown();
            }

            @Override
            public void unlock() throws IOException {
                if (lock != null && lock.isValid()) {
                    lock.release();
                }
                lock = null;
            }
        };
    }
}
