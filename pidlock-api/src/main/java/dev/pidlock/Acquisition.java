package dev.pidlock;

import static dev.pidlock.Self.LOG;
import static dev.pidlock.Self.PID;

import dev.pidlock.internal.content.PidContent;
import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcLock;
import dev.pidlock.internal.registry.HeldFiles;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileStore;
import dev.pidlock.spi.RecordedHolder;
import dev.pidlock.spi.ReleaseAction;
import dev.pidlock.spi.StaleVerdict;
import dev.pidlock.spi.UncertainIdentityException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The acquisition algorithm: vet the directory and the path, open safely, claim in the JVM registry, lock,
 * verify that the path still names the locked inode, read and judge what is there, set the mode, write our
 * pid. Every failure before the hold is established unlocks and closes what was opened.
 */
final class Acquisition {
    /** The longest pause before trying again when a lock of the other family held the file. */
    private static final long FOREIGN_RETRY_MAX_MILLIS = 20;

    private static final HeldFiles<Hold> REGISTRY = Hold.REGISTRY;

    /** What every acquire writes: this process's pid and a newline. */
    private static final byte[] PID_LINE = PidContent.format(PID);

    private final Config config;
    private final Path path;
    private final OwnershipPolicy policy;
    private final LockBackend backend;
    private final PidFileStore store;
    /** Whether a refusal by another process's lock returns {@link #REFUSED} instead of throwing. */
    private boolean quiet;

    /**
     * What {@link #tryAcquire} returns when another process holds the lock: never handed to a caller. A refusal
     * that nobody will read builds no exception (a stack trace is most of its cost) and looks up no holder.
     */
    private static final PidLock REFUSED = new PidLock(null);

    private Acquisition(Config config) {
        this.config = config;
        this.backend = config.backend();
        this.store = backend.store();
        this.path = config.path();
        this.policy = config.policy();
    }

    /**
     * @param wait null to try once; otherwise how long to wait for the lock
     */
    static PidLock acquire(Config config, Duration wait) throws InterruptedException {
        return new Acquisition(config).run(wait);
    }

    /**
     * One try, for {@code tryAcquire()}: a file another process locks is refused without an exception and without
     * finding out who holds it (nobody reads it). Every other refusal (this JVM holds it; an unlocked file names a
     * running process) still throws.
     *
     * @return the lock; empty when another process holds it
     */
    static Optional<PidLock> tryAcquire(Config config) {
        Acquisition acquisition = new Acquisition(config);
        acquisition.quiet = true;
        PidLock lock;
        try {
            lock = acquisition.run(null);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a try does not wait", e);
        }
        return lock == REFUSED ? Optional.empty() : Optional.of(lock);
    }

    /** The longest wait, about 146 years: a longer one (or a negative one) would overflow a nanoTime deadline. */
    static final long LONGEST_WAIT_NANOS = Long.MAX_VALUE / 2;

    /** @return the wait in nanoseconds, at most {@link #LONGEST_WAIT_NANOS}: a longer wait is as good as forever */
    static long waitNanos(Duration wait) {
        if (wait.isNegative()) {
            return 0;
        }
        return wait.compareTo(Duration.ofNanos(LONGEST_WAIT_NANOS)) > 0 ? LONGEST_WAIT_NANOS : wait.toNanos();
    }

    private PidLock run(Duration wait) throws InterruptedException {
        long deadline = wait == null ? 0 : System.nanoTime() + waitNanos(wait);
        vetDirectory(store, path, policy);
        while (true) {
            Optional<PathFacts> before = vetPath();
            if (before.isPresent()) {
                Optional<PidLock> again = heldHere(before.get().identity(), wait, deadline);
                if (again.isPresent()) {
                    return again.get();
                }
                if (wait != null && REGISTRY.isClaimed(before.get().identity())) {
                    continue;
                }
            }
            OpenPidFile file = open();
            FileIdentity identity;
            try {
                identity = file.identity();
            } catch (UncertainIdentityException e) {
                REGISTRY.closeUnknown(file, this::logCloseFailure);
                continue;
            } catch (IOException e) {
                REGISTRY.closeUnknown(file, this::logCloseFailure);
                throw IoErrors.translate(path, "fstat", e);
            }
            HeldFiles.Entry<Hold> entry = REGISTRY.opened(identity);
            if (!REGISTRY.claim(entry, file)) {
                REGISTRY.close(entry, file, this::logCloseFailure);
                Optional<PidLock> again = heldHere(identity, wait, deadline);
                if (again.isPresent()) {
                    return again.get();
                }
                continue;
            }
            Attempt attempt;
            try {
                attempt = new Attempt(file, backend.exclusion(file, request()), identity, entry);
            } catch (IOException e) {
                REGISTRY.close(entry, file, this::logCloseFailure);
                throw IoErrors.translate(path, "lock", e);
            }
            try {
                PidLock lock = attempt.lockAndWrite(wait, deadline);
                if (lock != null) {
                    return lock;
                }
            } finally {
                attempt.abandonUnlessHeld();
            }
        }
    }

    /** One open pidfile's way from claimed to held; abandoned (unlocked, closed) unless held. */
    private final class Attempt {
        final OpenPidFile file;
        final Exclusion exclusion;
        final FileIdentity identity;
        final HeldFiles.Entry<Hold> entry;
        boolean locked;
        boolean held;

        Attempt(OpenPidFile file, Exclusion exclusion, FileIdentity identity, HeldFiles.Entry<Hold> entry) {
            this.file = file;
            this.exclusion = exclusion;
            this.identity = identity;
            this.entry = entry;
        }

        /** @return the held lock, or null to retry because the path names another file now */
        PidLock lockAndWrite(Duration wait, long deadline) throws InterruptedException {
            OptionalLong hint = OptionalLong.empty();
            Optional<LockHolders.Family> foreign = Optional.empty();
            try {
                locked = exclusion.tryLock();
                if (locked) {
                    foreign = refuseForeignFamily();
                }
                if (!locked && wait != null) {
                    hint = holderPid();
                    while (true) {
                        try {
                            locked = exclusion.lock(remaining(deadline));
                        } catch (InterruptedException e) {
                            InterruptedException named = new InterruptedException(
                                    "interrupted while waiting for the lock on " + path);
                            named.initCause(e);
                            throw named;
                        }
                        if (!locked) {
                            break;
                        }
                        Optional<LockHolders.Family> other = refuseForeignFamily();
                        if (other.isEmpty()) {
                            break;
                        }
                        foreign = other;
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        // the other family's holder may be retrying too, against our lock: pause a random while
                        Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1,
                                ThreadLocalRandom.current().nextLong(1, FOREIGN_RETRY_MAX_MILLIS + 1)));
                    }
                }
            } catch (IOException e) {
                throw IoErrors.translate(path, "lock", e);
            }
            if (!locked) {
                if (foreign.isPresent()) {
                    Optional<LockHolders.Family> family = foreign;
                    LOG.log(Level.INFO, () -> "refusing " + path + ": the other lock family (" + family.get()
                            + ") holds it, which backend " + backend.id() + " does not take");
                }
                if (quiet) {
                    return REFUSED;
                }
                throw conflict(wait, hint, foreign);
            }
            Optional<PathFacts> now;
            try {
                now = store.examine(path);
            } catch (IOException e) {
                throw IoErrors.translate(path, "lstat", e);
            }
            if (now.isEmpty() || !now.get().identity().equals(identity)) {
                LOG.log(Level.DEBUG, () -> "pidfile " + path + " was replaced while locking; retrying");
                return null;
            }
            judgeContent(now.get());
            try {
                file.setMode(policy.mode());
            } catch (IOException e) {
                throw removingIfEmpty(IoErrors.translate(path, "chmod", e));
            }
            if (policy.owner().isPresent() || policy.group().isPresent()) {
                try {
                    file.setOwner(policy.owner().orElse(null), policy.group().orElse(null));
                } catch (IOException e) {
                    throw removingIfEmpty(IoErrors.translate(path, "chown " + policy.owner().orElse("")
                            + policy.group().map(g -> ":" + g).orElse(""), e));
                }
            }
            try {
                file.write(PID_LINE.clone()); // a copy: a store may keep or change what it is given
            } catch (IOException e) {
                throw removingIfEmpty(IoErrors.translate(path, "write", e));
            }
            Hold hold = new Hold(path, backend, config.inheritable(), file, exclusion, entry, policy);
            REGISTRY.held(entry, hold);
            held = true;
            Hold.ensureShutdownHook();
            if (LOG.isLoggable(Level.DEBUG)) { // no lambda allocated per acquire when nobody logs it
                LOG.log(Level.DEBUG, "acquired " + path + " (pid " + PID + ", backend " + backend.id() + ")");
            }
            return new PidLock(hold);
        }

        /**
         * After a failure with the lock held: an empty pidfile (one this attempt created, or one nobody wrote) is
         * removed while the lock is still held, so that a full disk leaves no empty file behind; one with content
         * is left as it was.
         *
         * @return {@code failure}
         */
        private PidLockException removingIfEmpty(PidLockException failure) {
            try {
                if (file.read(1).length == 0) {
                    OpenPidFile.Removal removal = file.deleteIfStillOurs();
                    LOG.log(Level.DEBUG, () -> "removing the empty pidfile " + path + " after a failed acquisition: "
                            + removal);
                }
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            return failure;
        }

        private void judgeContent(PathFacts facts) {
            PidContent content;
            try {
                content = PidContent.read(file);
            } catch (IOException e) {
                throw IoErrors.translate(path, "read", e);
            }
            if (!content.namesHolder()) {
                if (content.reason() != PidContent.Reason.EMPTY) {
                    LOG.log(Level.INFO, () -> "taking over stale pidfile " + path + ": " + content.problem());
                }
                return;
            }
            long pid = content.pid().getAsLong();
            if (pid == PID) {
                // a pidfile this process released keeping its pid (release action KEEP): a normal re-acquisition
                LOG.log(Level.DEBUG, () -> "taking over pidfile " + path + " that names this process but was"
                        + " not held by it");
                return;
            }
            Instant written = Instant.EPOCH.plusNanos(facts.modifiedNanos());
            StaleVerdict verdict = config.detector().assess(new RecordedHolder(pid, path, Optional.of(written)));
            if (!verdict.kind().isStale() && policy.respectsLiveUnlockedHolder()) {
                LOG.log(Level.INFO, () -> "refusing " + path + ": not locked, but it names running pid " + pid
                        + " (" + verdict.reason() + ")");
                throw new AlreadyRunningException(path, pid, "pidfile " + path + " is not locked but names"
                        + " running pid " + pid + " (" + verdict.reason() + "): already running");
            }
            LOG.log(Level.INFO, () -> "taking over stale pidfile " + path + " of pid " + pid + ": "
                    + verdict.reason());
        }

        /**
         * A backend of one lock family takes a lock the other family does not see: after taking it, look for a
         * lock of the other family on the inode in the kernel's table, and when there is one give ours up (the
         * registry guarantees that nothing else of this JVM locks the file, so the unlock drops nothing shared).
         * Either the other holder took its lock first and this check sees it, or it took it after this check and
         * its own check (when it is a pidlock) sees ours: never both granted. Without {@code /proc/locks} nothing
         * is checked.
         *
         * @return the other family when it holds the file and ours was given up; empty when ours is kept
         */
        private Optional<LockHolders.Family> refuseForeignFamily() throws IOException {
            Set<Capability> capabilities = backend.capabilities();
            boolean fcntl = capabilities.contains(Capability.CONFLICTS_WITH_FCNTL);
            if (fcntl == capabilities.contains(Capability.CONFLICTS_WITH_FLOCK)) {
                return Optional.empty(); // both families (ofd+flock), or not a kernel lock
            }
            Optional<List<ProcLock>> table = ProcFs.locks();
            if (table.isEmpty()) {
                return Optional.empty();
            }
            for (ProcLock lock : table.get()) {
                if (lock.waiting() || !lock.isOn(identity.device(), identity.inode())) {
                    continue;
                }
                boolean flock = lock.kind().equals("FLOCK");
                boolean posix = lock.kind().equals("POSIX") || lock.kind().equals("OFDLCK");
                if (fcntl ? flock : posix) {
                    exclusion.unlock();
                    locked = false;
                    LOG.log(Level.DEBUG, () -> "pidfile " + path + " has a " + lock.kind() + " lock, which backend "
                            + backend.id() + " does not take: refused");
                    return Optional.of(flock ? LockHolders.Family.FLOCK : lock.kind().equals("POSIX")
                            ? LockHolders.Family.POSIX : LockHolders.Family.OFD);
                }
            }
            return Optional.empty();
        }

        private PidLockConflictException conflict(Duration wait, OptionalLong hint,
                                                  Optional<LockHolders.Family> foreign) {
            OptionalLong holder = holderPid();
            if (holder.isEmpty()) {
                holder = hint;
            }
            String who = holder.isPresent() ? "held by pid " + holder.getAsLong() : "held by another process";
            String family = foreign.map(f -> " with " + switch (f) {
                case FLOCK -> "a flock(2) lock";
                case POSIX -> "a POSIX fcntl/lockf lock";
                case OFD -> "an OFD fcntl lock";
            } + ", which backend " + backend.id() + " does not take").orElse("");
            String waited = wait == null ? "" : " after waiting " + Durations.format(wait);
            return new AlreadyLockedException(path, holder.orElse(0), false,
                    "pidfile " + path + " is locked, " + who + family + waited);
        }

        /** @return the holder's pid (see {@link Holders#conflictHolder}); empty when nothing can tell */
        private OptionalLong holderPid() {
            try {
                return Holders.conflictHolder(identity, path, PidContent.read(file).pid(), () -> {
                    try {
                        return exclusion.probe().holderPid();
                    } catch (IOException e) {
                        LOG.log(Level.DEBUG, () -> "probing the lock on " + path + " failed: " + e.getMessage());
                        return OptionalLong.empty();
                    }
                });
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> "reading the holder of " + path + " failed: " + e.getMessage());
                return OptionalLong.empty();
            }
        }

        void abandonUnlessHeld() {
            if (held) {
                return;
            }
            if (locked) {
                try {
                    exclusion.unlock();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, () -> "unlock " + path + " failed: " + e.getMessage());
                }
            } else if (backend.capabilities().contains(Capability.LEASED)) {
                // refused by a lock that is not on the file (a key held on another host, or through another
                // runtime directory): the empty local file this attempt found or created records nobody
                try {
                    if (file.read(1).length == 0) {
                        file.deleteIfStillOurs();
                    }
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, () -> "cannot remove the empty pidfile " + path + ": " + e.getMessage());
                }
            }
            REGISTRY.close(entry, file, Acquisition.this::logCloseFailure);
        }
    }

    /**
     * Releases a pidfile whose lock was handed on, once this JVM's descriptor is closed: opens the path afresh,
     * and only when it still names {@code identity}, nothing else in this JVM claims it and a non-blocking lock
     * succeeds (nobody holds it any more) applies the policy's release action under that lock, then unlocks.
     * Nothing is written otherwise.
     *
     * @return whether the lock was free
     * @throws PidFileAccessException when examining, opening, locking or acting on the file fails
     */
    static boolean releaseIfFree(Path path, LockBackend backend, FileIdentity identity, OwnershipPolicy policy) {
        PidFileStore store = backend.store();
        if (!namesInode(store, path, identity)) {
            LOG.log(Level.DEBUG, () -> "not releasing " + path + ": it names another file now, or none");
            return false;
        }
        OpenRequest request = OpenRequest.forLocking(policy.mode());
        OpenPidFile file;
        try {
            file = store.open(path, request);
        } catch (IOException e) {
            throw IoErrors.translate(path, "open", e);
        }
        Consumer<IOException> onCloseError = e -> LOG.log(Level.WARNING, () -> "close " + path + " failed: "
                + e.getMessage());
        FileIdentity opened;
        try {
            opened = file.identity();
        } catch (IOException e) {
            REGISTRY.closeUnknown(file, onCloseError);
            return false;
        }
        HeldFiles.Entry<Hold> entry = REGISTRY.opened(opened);
        if (!opened.equals(identity) || !REGISTRY.claim(entry, file)) {
            REGISTRY.close(entry, file, onCloseError);
            return false;
        }
        try {
            Exclusion exclusion;
            try {
                exclusion = backend.exclusion(file, request);
                if (!exclusion.tryLock()) {
                    return false;
                }
            } catch (IOException e) {
                throw IoErrors.translate(path, "lock", e);
            }
            IOException failure = null;
            String failedOp = null;
            try {
                if (namesInode(store, path, identity)) {
                    switch (policy.releaseAction()) {
                        case DELETE -> file.deleteIfStillOurs();
                        case TRUNCATE -> file.write(new byte[0]);
                        case KEEP -> { }
                    }
                }
            } catch (IOException e) {
                failure = e;
                failedOp = policy.releaseAction() == ReleaseAction.DELETE ? "unlink" : "truncate";
            } finally {
                try {
                    exclusion.unlock();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = e;
                        failedOp = "unlock";
                    }
                }
            }
            if (failure != null) {
                throw IoErrors.translate(path, failedOp, failure);
            }
            return true;
        } finally {
            REGISTRY.close(entry, file, onCloseError);
        }
    }

    private static boolean namesInode(PidFileStore store, Path path, FileIdentity identity) {
        try {
            Optional<PathFacts> facts = store.examine(path);
            return facts.isPresent() && facts.get().identity().equals(identity);
        } catch (IOException e) {
            throw IoErrors.translate(path, "lstat", e);
        }
    }

    /**
     * The file is held or being acquired in this JVM: re-enter when the policy allows, wait for it when the
     * caller waits, refuse otherwise.
     *
     * @return the re-entered lock; empty to go on (the file is free here, or became free while waiting)
     */
    private Optional<PidLock> heldHere(FileIdentity identity, Duration wait, long deadline)
            throws InterruptedException {
        if (!REGISTRY.isClaimed(identity)) {
            return Optional.empty();
        }
        Optional<Hold> owner = REGISTRY.owner(identity);
        if (owner.isPresent() && policy.allowsReentry() && REGISTRY.enter(identity, owner.get())) {
            LOG.log(Level.DEBUG, () -> "re-entered " + path);
            return Optional.of(new PidLock(owner.get()));
        }
        if (wait != null && REGISTRY.awaitUnclaimed(identity, remaining(deadline).toNanos())) {
            return Optional.empty();
        }
        throw new AlreadyLockedException(path, PID, true, "pidfile " + path + " is already held by this process"
                + " (pid " + PID + ")" + (wait == null ? "" : " after waiting " + Durations.format(wait)));
    }

    private Optional<PathFacts> vetPath() {
        Optional<PathFacts> facts;
        try {
            facts = store.examine(path);
        } catch (IOException e) {
            throw IoErrors.translate(path, "lstat", e);
        }
        if (facts.isPresent()) {
            vetFile(path, facts.get(), policy);
        }
        return facts;
    }

    static void vetFile(Path path, PathFacts facts, OwnershipPolicy policy) {
        if (facts.type() != PathFacts.FileType.REGULAR) {
            throw new UnsafePidFileException(path, "refusing pidfile " + path + ": it is a "
                    + facts.type().describe() + ", not a regular file");
        }
        policy.refuseFile(facts).ifPresent(reason -> {
            throw new UnsafePidFileException(path, "refusing pidfile " + path + ": it " + reason);
        });
    }

    /** The last pidfile whose directory was vetted, and that directory: a program locks one file again and again. */
    private static volatile ParentOf lastDirectory = new ParentOf(null, null);

    private record ParentOf(Path file, Path directory) {
    }

    static void vetDirectory(PidFileStore store, Path path, OwnershipPolicy policy) {
        ParentOf last = lastDirectory;
        if (last.file() != path) { // the same Path object: the same absolute parent (the working directory is fixed)
            last = new ParentOf(path, path.toAbsolutePath().getParent());
            lastDirectory = last;
        }
        Path dir = last.directory();
        Optional<PathFacts> facts;
        try {
            facts = store.examineFollowing(dir);
        } catch (java.nio.file.NoSuchFileException e) {
            facts = Optional.empty();
        } catch (IOException e) {
            throw IoErrors.translate(path, "open", e);
        }
        if (facts.isEmpty()) {
            throw new PidFileAccessException(path, "open", "ENOENT", "open " + path + ": ENOENT (directory "
                    + dir + " does not exist)", null);
        }
        if (facts.get().type() != PathFacts.FileType.DIRECTORY) {
            throw new PidFileAccessException(path, "open", "ENOTDIR", "open " + path + ": ENOTDIR (" + dir
                    + " is not a directory)", null);
        }
        policy.refuseDirectory(facts.get()).ifPresent(reason -> {
            throw new UnsafePidFileException(path, "refusing pidfile " + path + ": it " + reason);
        });
    }

    private OpenRequest request() {
        return new OpenRequest(true, config.inheritable(), policy.mode());
    }

    private OpenPidFile open() {
        try {
            return store.open(path, request());
        } catch (IOException e) {
            throw IoErrors.translate(path, "open", e);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    private void logCloseFailure(IOException e) {
        LOG.log(Level.WARNING, () -> "close " + path + " failed: " + e.getMessage());
    }
}
