package dev.pidlock;

import dev.pidlock.internal.naming.PidFileNames;
import dev.pidlock.internal.naming.ProgramName;
import dev.pidlock.internal.naming.RuntimeDirectories;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.ReleaseAction;
import dev.pidlock.spi.StaleDetector;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A held pidfile lock, and the entry point to get one.
 *
 * <pre>{@code
 * try (PidLock lock = PidLock.named("backup").acquire()) {
 *     runBackup();
 * }
 * }</pre>
 *
 * <p>{@link #named(String)}, {@link #at(Path)} and {@link #forThisProgram()} return a {@link Builder};
 * its terminal operations acquire ({@link Builder#acquire()}, {@link Builder#tryAcquire()},
 * {@link Builder#acquire(Duration)}), run code exclusively ({@link Builder#runExclusive(Runnable)}), hold
 * for the life of the JVM ({@link Builder#holdUntilExit()}, {@link Builder#acquireOrExit()}), or look
 * without acquiring ({@link Builder#inspect()}).
 *
 * <p>A {@code PidLock} is released exactly once: by {@link #close()}, or at JVM exit (normal exit, SIGTERM,
 * SIGINT, SIGHUP) by a shutdown hook. Releasing removes the pidfile (by default) while still holding the
 * lock, and only if the path still names the file that was locked. A lock whose descriptor was passed to
 * another process is released without unlocking: see {@link #markHandedOn()}.
 *
 * @since 0.1
 */
public final class PidLock implements AutoCloseable {

    private final Hold hold;
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(PidLock.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set once, through {@link #CLOSED}: no object per lock for it. */
    private volatile boolean closed;

    PidLock(Hold hold) {
        this.hold = hold;
    }

    /**
     * A lock named {@code name}, in the default directory (for root {@code /run}, else the first usable of
     * {@code $XDG_RUNTIME_DIR} and {@code /run/user/$UID}; then {@code /var/run}, then a private folder under
     * {@code java.io.tmpdir}; usable: a directory owned by the user or root, writable by the user, and not
     * writable by others without the sticky bit). The name becomes one file name of printable ASCII, the same
     * in every locale and on every JDK: its UTF-8 bytes (a lone U+DC80..U+DCFF as the byte it stands for, any
     * other unpaired surrogate as {@code ?}), with every byte outside 0x20..0x7E,
     * {@code /}, {@code \}, {@code %} and a leading {@code .} written {@code %XX} ({@code café} is
     * {@code caf%C3%A9.pid}, {@code a/b} is {@code a%2Fb.pid}), and {@code .pid} appended unless present; the
     * empty name is {@code pidlock.pid}. Names that differ in more than a final {@code .pid} get different
     * files; a name too long for a file name is cut and keeps a hash of the whole.
     *
     * @param name the lock's name
     * @return a builder for it
     * @since 0.1
     */
    public static Builder named(String name) {
        Objects.requireNonNull(name, "name");
        return new Builder(null, name);
    }

    /**
     * A lock on the pidfile at {@code path}, used as given.
     *
     * @param path the pidfile
     * @return a builder for it
     * @since 0.1
     */
    public static Builder at(Path path) {
        Objects.requireNonNull(path, "path");
        return new Builder(path.toAbsolutePath().normalize(), null);
    }

    /**
     * A lock named after this program: the main module, the jar (without {@code .jar}) or the main class.
     *
     * @return a builder for it
     * @since 0.1
     */
    public static Builder forThisProgram() {
        return new Builder(null, ProgramName.ofThisJvm());
    }

    /**
     * Every backend found, available or not, with its capabilities and the cause when unavailable.
     *
     * @return the backends, highest priority first
     * @since 0.1
     */
    public static List<BackendInfo> backends() {
        return Backends.describe();
    }

    /**
     * @return the pidfile
     * @since 0.1
     */
    public Path path() {
        return hold.path;
    }

    /**
     * @return the pid written into the pidfile: this process's, unless {@link #recordPid(long)} changed it
     * @since 0.1
     */
    public long pid() {
        return hold.recordedPid();
    }

    /**
     * Names another process as the holder in the pidfile, written through the locked descriptor: for a
     * wrapper whose child holds the lock through an inherited descriptor ({@code pidlock run}), so that the
     * pidfile names the command, as systemd and start-stop-daemon expect.
     *
     * @param pid the process the pidfile should name (&gt; 1)
     * @throws IllegalStateException  when the lock was released
     * @throws PidFileAccessException when writing fails
     * @since 0.1
     */
    public void recordPid(long pid) {
        if (pid <= 1) {
            throw new IllegalArgumentException("pid " + pid + " is never a holder");
        }
        hold.record(pid);
    }

    /**
     * @return the id of the backend that holds the lock
     * @since 0.1
     */
    public String backend() {
        return hold.backendId;
    }

    /**
     * The descriptor that holds the lock, when it was acquired with {@link Builder#inheritableAcrossExec()}:
     * a child that inherits it across {@code exec} holds the lock too, for as long as it keeps it open.
     *
     * @return the descriptor number; empty when not acquired as inheritable or already released
     * @since 0.1
     */
    public OptionalInt inheritableDescriptor() {
        return isHeld() && hold.inheritable ? hold.descriptor() : OptionalInt.empty();
    }

    /**
     * Leaves the lock to the child that inherited {@link #inheritableDescriptor()}: closes this JVM's
     * descriptor without unlocking and without removing the pidfile, so the child holds the lock alone until
     * it exits. This handle is released afterwards. For {@code pidlock start}, which leaves no JVM behind.
     *
     * @throws IllegalStateException when the lock was not acquired as inheritable, or is released
     * @since 0.1
     */
    public void handOff() {
        if (!hold.inheritable) {
            throw new IllegalStateException("the lock on " + hold.path + " was not acquired as inheritable");
        }
        if (CLOSED.compareAndSet(this, false, true)) {
            hold.handOff();
        }
    }

    /**
     * Marks the lock as handed on: {@link #inheritableDescriptor()} was passed to another process (a child
     * started with it), which now shares the lock. A shared {@code flock}/OFD lock belongs to the open file
     * description, so an explicit unlock would drop it for every process that shares it. From this call on,
     * {@link #close()} (and the release at JVM exit) therefore never unlocks: it closes this JVM's descriptor,
     * then takes a fresh non-blocking lock on the same file, and only when that succeeds (nobody holds the lock
     * any more) applies the release action (by default removes the pidfile) and unlocks. While another process
     * still holds the lock, the pidfile is left to it. A lock never handed on is released as {@link #close()}
     * always did.
     *
     * @throws IllegalStateException when the lock was not acquired as inheritable, or is released
     * @since 0.2
     */
    public void markHandedOn() {
        if (!hold.inheritable) {
            throw new IllegalStateException("the lock on " + hold.path + " was not acquired as inheritable");
        }
        if (!isHeld()) {
            throw new IllegalStateException("the lock on " + hold.path + " was released");
        }
        hold.markHandedOn();
    }

    /**
     * Whether this handle still holds the lock: not released, and, with a backend whose lock is a lease
     * ({@link Capability#LEASED}), not lost (the lease expired and another process may hold it now; the handle
     * must still be closed).
     *
     * @return whether this handle still holds the lock
     * @since 0.1
     */
    public boolean isHeld() {
        return !closed && !hold.isReleased() && !hold.isLost();
    }

    /**
     * The fencing token of this holding, for a backend that has one (etcd: the key's {@code create_revision}):
     * strictly greater than the token of every earlier holder of the same lock, so that a job can pass it to the
     * storage it writes, which then refuses a writer with a smaller one (a holder that lost the lock meanwhile).
     *
     * @return the token; empty when released or when the backend has none
     * @since 0.2
     */
    public OptionalLong fencingToken() {
        return closed ? OptionalLong.empty() : hold.fencingToken();
    }

    /**
     * Registers {@code listener} to be called once when the lock is lost while held: a lease that could not be
     * kept alive (a partition, a stopped process, a long pause) and expired, so that another process may hold the
     * lock now ({@link Capability#LEASED}). It runs on a pidlock thread, or at once in the calling thread when the
     * lock is lost already; {@link #isHeld()} is false by then. With a backend whose lock cannot be lost while held
     * (every kernel lock), it is never called.
     *
     * @param listener what to call; it should be quick (stop the work, signal the job)
     * @since 0.2
     */
    public void onLost(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        hold.onLost(listener);
    }

    /**
     * Releases the lock (once; later calls do nothing). With re-entry, the last handle releases. A lock
     * {@linkplain #markHandedOn() handed on} is released without unlocking, as that method says.
     *
     * @throws PidFileAccessException when removing, unlocking or closing failed; the lock is given up anyway
     * @since 0.1
     */
    @Override
    public void close() {
        if (CLOSED.compareAndSet(this, false, true)) {
            hold.leave();
        }
    }

    /**
     * The same as {@link #close()}.
     *
     * @since 0.1
     */
    public void release() {
        close();
    }

    /**
     * @return the pidfile, the backend and whether the lock is still held, for logs
     * @since 0.1
     */
    @Override
    public String toString() {
        return "PidLock[" + hold.path + ", backend " + hold.backendId + (isHeld() ? ", held]" : ", released]");
    }

    /**
     * Describes a pidfile lock; its terminal operations acquire, run or inspect. Setters validate and return
     * this builder; each terminal operation works from an immutable snapshot of it.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Path path;
        private final String name;
        private Path directory;
        private LockBackend backendInstance;
        private String backendId;
        private final Set<Capability> required = EnumSet.noneOf(Capability.class);
        private StaleDetector detector;
        private OwnershipPolicy policy;
        private String policyId;
        private ReleaseAction releaseAction;
        private Set<PosixFilePermission> mode;
        private Boolean reentry;
        private Boolean respectLive;
        private String owner;
        private String group;
        private boolean inheritable;

        Builder(Path path, String name) {
            this.path = path;
            this.name = name;
        }

        /**
         * @param dir where a named lock's pidfile goes, instead of the default directory; the terminal
         *            operations refuse it with an {@link UnsafePidFileException} naming its owner and mode when
         *            it is owned by neither this process's user nor root, or writable by others without the
         *            sticky bit
         * @return this builder
         * @throws IllegalStateException when this builder came from {@link PidLock#at(Path)}, which set the
         *                               pidfile's location already
         * @since 0.1
         */
        public Builder directory(Path dir) {
            Objects.requireNonNull(dir, "dir");
            requireState(path == null, "directory(Path)", "at(Path)", "pidfile's location");
            this.directory = dir.toAbsolutePath().normalize();
            return this;
        }

        /**
         * An id that no backend has fails the terminal operation with a {@link NoBackendException} listing
         * the known ids, as the same id in the {@code dev.pidlock.backend} system property does.
         *
         * @param id the backend to use ({@code nio}, {@code ofd}, …, or {@code auto}); wins over the
         *           {@code dev.pidlock.backend} system property
         * @return this builder
         * @throws IllegalStateException when {@link #backend(LockBackend)} set the backend already
         * @since 0.1
         */
        public Builder backend(String id) {
            Objects.requireNonNull(id, "id");
            requireState(backendInstance == null, "backend(String)", "backend(LockBackend)", "backend");
            if (id.isBlank()) {
                throw new IllegalArgumentException("backend id is blank");
            }
            this.backendId = id.strip();
            return this;
        }

        /**
         * @param backend a backend instance to use, found or not
         * @return this builder
         * @throws IllegalStateException when {@link #backend(String)} set the backend already
         * @since 0.1
         */
        public Builder backend(LockBackend backend) {
            Objects.requireNonNull(backend, "backend");
            requireState(backendId == null, "backend(LockBackend)", "backend(String)", "backend");
            this.backendInstance = backend;
            return this;
        }

        /**
         * @param capabilities what the backend must guarantee; {@code auto} skips those that do not
         * @return this builder
         * @since 0.1
         */
        public Builder require(Capability... capabilities) {
            required.addAll(List.of(capabilities));
            return this;
        }

        /**
         * @param detector decides whether an unlocked pidfile's process is a live holder (default: alive,
         *                 then start-time identity, then any found with ServiceLoader)
         * @return this builder
         * @since 0.1
         */
        public Builder staleDetector(StaleDetector detector) {
            this.detector = Objects.requireNonNull(detector, "detector");
            return this;
        }

        /**
         * @param policy what an acquirer may do with the file
         * @return this builder
         * @throws IllegalStateException when {@link #ownership(String)} set the policy already
         * @since 0.1
         */
        public Builder ownership(OwnershipPolicy policy) {
            Objects.requireNonNull(policy, "policy");
            requireState(policyId == null, "ownership(OwnershipPolicy)", "ownership(String)", "ownership policy");
            this.policy = policy;
            return this;
        }

        /**
         * An id that no policy has fails the terminal operation with a {@link NoProviderException} listing the
         * known ids, as the same id in the {@code dev.pidlock.ownership} system property does.
         *
         * @param id the id of a policy found with ServiceLoader, or {@code default}; wins over the
         *           {@code dev.pidlock.ownership} system property
         * @return this builder
         * @throws IllegalStateException when {@link #ownership(OwnershipPolicy)} set the policy already
         * @since 0.1
         */
        public Builder ownership(String id) {
            Objects.requireNonNull(id, "id");
            requireState(policy == null, "ownership(String)", "ownership(OwnershipPolicy)", "ownership policy");
            if (id.isBlank()) {
                throw new IllegalArgumentException("ownership policy id is blank");
            }
            this.policyId = id.strip();
            return this;
        }

        /**
         * Refuses a setter that would set what another setter set already, in another way (as Caffeine's
         * builder does): which of the two should win is not for the builder to guess.
         */
        private static void requireState(boolean unset, String call, String earlier, String what) {
            if (!unset) {
                throw new IllegalStateException(call + " after " + earlier + ": the " + what
                        + " was set already; set it one way");
            }
        }

        /**
         * @param action what release does to the file (default: delete)
         * @return this builder
         * @since 0.1
         */
        public Builder onRelease(ReleaseAction action) {
            this.releaseAction = Objects.requireNonNull(action, "action");
            return this;
        }

        /**
         * @param permissions the pidfile's mode in {@code ls} form, for example {@code rw-r-----}
         * @return this builder
         * @since 0.1
         */
        public Builder fileMode(String permissions) {
            Objects.requireNonNull(permissions, "permissions");
            Set<PosixFilePermission> parsed;
            try {
                parsed = PosixFilePermissions.fromString(permissions);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("file mode \"" + permissions
                        + "\" is not of the form rw-r--r--", e);
            }
            if (!parsed.contains(PosixFilePermission.OWNER_WRITE) || !parsed.contains(PosixFilePermission.OWNER_READ)) {
                throw new IllegalArgumentException("file mode \"" + permissions
                        + "\" must let the owner read and write");
            }
            this.mode = Set.copyOf(parsed);
            return this;
        }

        /**
         * Gives the pidfile to a user, and optionally a group, changed through the open file itself (never
         * through a path that could name another file): for a service started as root that later runs as that
         * user and must be able to replace its pidfile. Changing the owner needs the privilege to
         * ({@code CAP_CHOWN}); without it acquisition fails naming the user and the errno.
         *
         * @param user  a user name or numeric uid
         * @param group a group name or numeric gid, or null to leave the group
         * @return this builder
         * @throws IllegalArgumentException when the user or the group does not exist
         * @since 0.2
         */
        public Builder fileOwner(String user, String group) {
            Objects.requireNonNull(user, "user");
            this.owner = Owners.user(user);
            this.group = group == null ? null : Owners.group(group);
            return this;
        }

        /**
         * Gives the pidfile to a user, leaving its group: {@link #fileOwner(String, String) fileOwner(user, null)}.
         *
         * @param user a user name or numeric uid
         * @return this builder
         * @throws IllegalArgumentException when the user does not exist
         * @since 0.2
         */
        public Builder fileOwner(String user) {
            return fileOwner(user, null);
        }

        /**
         * @param allowed whether a second acquisition in this JVM is counted (true) or refused (false, default)
         * @return this builder
         * @since 0.1
         */
        public Builder reentrant(boolean allowed) {
            this.reentry = allowed;
            return this;
        }

        /**
         * @param respect whether an unlocked pidfile naming a live process that may have written it refuses
         *                acquisition as "already running" (true, default) or is taken over
         * @return this builder
         * @since 0.1
         */
        public Builder respectLiveUnlockedHolder(boolean respect) {
            this.respectLive = respect;
            return this;
        }

        /**
         * The backend this builder would lock with, chosen as acquisition chooses it (explicit id, then the
         * {@code dev.pidlock.backend} property, then the available backend of highest priority), probing only
         * what that choice needs.
         *
         * @return the backend's description
         * @throws NoBackendException          when no backend can lock
         * @throws BackendUnavailableException when the requested one cannot
         * @since 0.1
         */
        public BackendInfo selectedBackend() {
            return Backends.describe(Backends.select(backendInstance, backendId, Set.copyOf(required)));
        }

        /**
         * Opens the pidfile without close-on-exec, so that the locked descriptor can be passed to a child
         * across {@code exec} (as {@code flock --no-fork} does) — see {@link PidLock#inheritableDescriptor()}.
         * Requires a backend with {@link Capability#INHERITABLE_ACROSS_EXEC}. Java's own
         * {@link ProcessBuilder} closes every extra descriptor in its children, so nothing leaks by accident.
         *
         * @return this builder
         * @since 0.1
         */
        public Builder inheritableAcrossExec() {
            this.inheritable = true;
            this.required.add(Capability.INHERITABLE_ACROSS_EXEC);
            return this;
        }

        /**
         * @return the pidfile this builder describes (resolving the default directory if needed)
         * @throws PidFileAccessException when the default directory cannot be resolved
         * @since 0.1
         */
        public Path path() {
            if (path != null) {
                return path;
            }
            Path dir = directory;
            if (dir == null) {
                try {
                    dir = RuntimeDirectories.resolve();
                } catch (IOException e) {
                    throw IoErrors.translate(Path.of(System.getProperty("java.io.tmpdir")), "mkdir", e);
                }
            }
            return dir.resolve(PidFileNames.sanitise(name));
        }

        Config config() {
            return config(true);
        }

        /** @param acquiring whether the pidfile is to be taken (an explicit directory must then pass the rule) */
        Config config(boolean acquiring) {
            if (directory != null && acquiring) {
                RuntimeDirectories.refuseExplicit(directory, RuntimeDirectories.currentUid()).ifPresent(why -> {
                    throw new UnsafePidFileException(path(), why);
                });
            }
            OwnershipPolicy base = policy != null ? policy : Extensions.policy(policyId);
            OwnershipPolicy effective = releaseAction == null && mode == null && reentry == null && respectLive == null
                    && owner == null ? base
                    : new AdjustedPolicy(base, releaseAction, mode, reentry, respectLive, owner, group);
            return new Config(path(), backendInstance, backendId, required.isEmpty() ? Set.of() : Set.copyOf(required),
                    detector != null ? detector : Extensions.defaultDetector(), effective, inheritable);
        }

        /**
         * Acquires without waiting.
         *
         * @return the held lock
         * @throws AlreadyLockedException  when another process (or this JVM) holds it
         * @throws AlreadyRunningException when it is unlocked but names a live process that may have written it
         * @throws PidLockException        on any other failure (unsafe path, I/O, no backend)
         * @since 0.1
         */
        public PidLock acquire() {
            try {
                return Acquisition.acquire(config(), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("a non-waiting acquisition was interrupted", e);
            }
        }

        /**
         * Acquires, waiting at most {@code timeout} for a holder to release. A backend that declares
         * {@link Capability#BLOCKING_WAIT} sleeps in the kernel until the release; the native backends sleep
         * until the pidfile shows a close or attribute change (inotify on Linux) and try again then and every
         * 50 ms; other backends retry with pauses of up to 50 ms. None spins a core.
         *
         * @param timeout how long to wait at most; longer than about 146 years ({@code Long.MAX_VALUE / 2}
         *                nanoseconds, e.g. {@code ChronoUnit.FOREVER.getDuration()}) waits as if forever
         * @return the held lock
         * @throws AlreadyLockedException  when still held after {@code timeout}
         * @throws AlreadyRunningException when it is unlocked but names a live process (not waited for)
         * @throws InterruptedException    when the waiting thread is interrupted
         * @since 0.1
         */
        public PidLock acquire(Duration timeout) throws InterruptedException {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout is negative: " + timeout);
            }
            return Acquisition.acquire(config(), timeout);
        }

        /**
         * Acquires without waiting; contention is a normal result, not an exception.
         *
         * @return the held lock, or empty when somebody (another process or this JVM) holds or runs it
         * @throws PidLockException on any failure other than contention
         * @since 0.1
         */
        public Optional<PidLock> tryAcquire() {
            try {
                return Acquisition.tryAcquire(config());
            } catch (PidLockConflictException e) {
                return Optional.empty();
            }
        }

        /**
         * Runs {@code action} holding the lock, and releases it afterwards: the decorator.
         *
         * @param action what must not run twice at once
         * @throws PidLockConflictException when somebody holds the lock; {@code action} did not run
         * @since 0.1
         */
        public void runExclusive(Runnable action) {
            Objects.requireNonNull(action, "action");
            try (PidLock ignored = acquire()) {
                action.run();
            }
        }

        /**
         * Calls {@code action} holding the lock, and releases it afterwards.
         *
         * @param action what must not run twice at once
         * @param <T>    what it returns
         * @return what {@code action} returned
         * @throws Exception                what {@code action} threw
         * @throws PidLockConflictException when somebody holds the lock; {@code action} was not called
         * @since 0.1
         */
        public <T> T runExclusive(Callable<T> action) throws Exception {
            Objects.requireNonNull(action, "action");
            try (PidLock ignored = acquire()) {
                return action.call();
            }
        }

        /**
         * Acquires and keeps the lock until the JVM exits (released by the shutdown hook).
         *
         * @return the held lock, which may still be closed earlier
         * @since 0.1
         */
        public PidLock holdUntilExit() {
            return acquire();
        }

        /**
         * Makes this whole program exclusive: acquires until the JVM exits, or, when somebody else holds the
         * lock, prints one line naming the holder's pid to stderr and exits with status 1. Other failures
         * print one line and exit with status 2.
         *
         * @return the held lock (only when acquired)
         * @since 0.1
         */
        public PidLock acquireOrExit() {
            try {
                return holdUntilExit();
            } catch (PidLockConflictException e) {
                System.err.println(ProgramName.ofThisJvm() + ": " + e.getMessage());
                System.exit(1);
            } catch (PidLockException e) {
                System.err.println(ProgramName.ofThisJvm() + ": " + e.getMessage());
                System.exit(2);
            }
            throw new AssertionError("unreachable");
        }

        /**
         * Looks at the pidfile without acquiring it (and without disturbing a lock this JVM holds).
         *
         * @return what it says about who is running
         * @since 0.1
         */
        public PidFileStatus inspect() {
            return Inspection.inspect(config(false)); // looking writes nothing: any directory may be looked in
        }
    }
}
