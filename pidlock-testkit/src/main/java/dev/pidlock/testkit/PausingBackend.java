package dev.pidlock.testkit;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A real backend with hooks: every call goes to the backend it wraps, and at the narrow points of the
 * acquisition algorithm it first calls {@link Hook#at}, which may stop the process there so that the crash
 * torture can kill it exactly at that point. Random kill timing alone rarely hits these windows.
 */
final class PausingBackend implements LockBackend {

    /** Where a torture child can be told to stop and wait to be killed. */
    enum Point {
        /** The pidfile is open (and, for {@code lockf}, maybe just created), not locked yet. */
        OPENED,
        /** Locked, identity verified, content judged; our pid not written yet. */
        LOCKED,
        /** Inside the critical section: {@code enter} is in the ledger, {@code exit} is not. */
        INSIDE,
        /** Released by the child: the pidfile is deleted, the lock on its unlinked inode not given up yet. */
        DELETED
    }

    /** Called at each point, before the real call. */
    interface Hook {
        /**
         * @param point where the acquiring or releasing process is
         * @throws IOException never expected; declared for the wrapped calls
         */
        void at(Point point) throws IOException;
    }

    private final LockBackend real;
    private final Hook hook;

    PausingBackend(LockBackend real, Hook hook) {
        this.real = real;
        this.hook = hook;
    }

    @Override
    public String id() {
        return real.id();
    }

    @Override
    public int priority() {
        return real.priority();
    }

    @Override
    public Set<Capability> capabilities() {
        return real.capabilities();
    }

    @Override
    public Availability availability() {
        return real.availability();
    }

    /** Wraps the real store: the files it opens for locking note when pidlock writes through them. */
    @Override
    public PidFileStore store() {
        PidFileStore realStore = real.store();
        return new PidFileStore() {
            @Override
            public Optional<PathFacts> examine(Path path) throws IOException {
                return realStore.examine(path);
            }

            @Override
            public OpenPidFile open(Path path, OpenRequest request) throws IOException {
                OpenPidFile file = realStore.open(path, request);
                return request.forLocking() ? new File(file) : file;
            }
        };
    }

    @Override
    public Exclusion exclusion(OpenPidFile file, OpenRequest request) throws IOException {
        if (file instanceof File wrapped) {
            return new Lock(real.exclusion(wrapped.real, request), wrapped);
        }
        return real.exclusion(file, request);
    }

    @Override
    public String toString() {
        return "PausingBackend[" + real + "]";
    }

    /** The real exclusion, stopping at {@link Point#OPENED} and {@link Point#DELETED}. */
    private final class Lock implements Exclusion {
        private final Exclusion real;
        private final File file;

        Lock(Exclusion real, File file) {
            this.real = real;
            this.file = file;
        }

        /** pidlock tries without waiting first, on every attempt: the one place between open and lock. */
        @Override
        public boolean tryLock() throws IOException {
            hook.at(Point.OPENED);
            return real.tryLock();
        }

        @Override
        public boolean lock(Duration timeout) throws IOException, InterruptedException {
            return real.lock(timeout);
        }

        @Override
        public LockProbe probe() throws IOException {
            return real.probe();
        }

        /**
         * With delete-on-release, pidlock unlinks the file while locked and unlocks here. An attempt that found
         * the path replaced unlocks too, without having written: that is no release.
         */
        @Override
        public void unlock() throws IOException {
            if (file.written) {
                hook.at(Point.DELETED);
            }
            real.unlock();
        }
    }

    /** The real open file, stopping at {@link Point#LOCKED} before the first write. */
    private final class File implements OpenPidFile {
        private final OpenPidFile real;
        /** Whether pidlock wrote through this file: then it was held, and its unlock is the release's. */
        private boolean written;

        File(OpenPidFile real) {
            this.real = real;
        }

        @Override
        public Path path() {
            return real.path();
        }

        @Override
        public FileIdentity identity() throws IOException {
            return real.identity();
        }

        @Override
        public byte[] read(int limit) throws IOException {
            return real.read(limit);
        }

        /** Called once per acquisition, with the lock held and the identity verified: before the write. */
        @Override
        public void write(byte[] content) throws IOException {
            if (!written) {
                hook.at(Point.LOCKED);
            }
            written = true;
            real.write(content);
        }

        @Override
        public void setMode(Set<PosixFilePermission> mode) throws IOException {
            real.setMode(mode);
        }

        @Override
        public void setOwner(String owner, String group) throws IOException {
            real.setOwner(owner, group);
        }

        @Override
        public Removal deleteIfStillOurs() throws IOException {
            return real.deleteIfStillOurs();
        }

        @Override
        public OptionalInt descriptor() {
            return real.descriptor();
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }
}
