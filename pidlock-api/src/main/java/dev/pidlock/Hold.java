package dev.pidlock;

import static dev.pidlock.Self.LOG;

import dev.pidlock.internal.content.PidContent;
import dev.pidlock.internal.registry.HeldFiles;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.ReleaseAction;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One held pidfile, shared by every {@link PidLock} that re-entered it. Released exactly once: by the last
 * {@link PidLock#close()}, or by the shutdown hook.
 */
final class Hold implements Consumer<IOException> {
    /**
     * The files this JVM has open through pidlock, and their holds: the state every copy of pidlock in the JVM
     * shares, whatever class loader loaded it.
     */
    static final HeldFiles<Hold> REGISTRY = HeldFiles.jvmWide();

    private static final AtomicBoolean HOOK = new AtomicBoolean();

    final Path path;
    final String backendId;
    final boolean inheritable;
    private final LockBackend backend;
    private final OpenPidFile file;
    private final Exclusion exclusion;
    private final HeldFiles.Entry<Hold> entry;
    private final OwnershipPolicy policy;
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Hold.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Set once, through {@link #RELEASED}: no object per hold for it. */
    private volatile boolean released;
    /** The first failure to close this hold's descriptors (the registry tells {@link #accept}). */
    private IOException closeFailure;
    private volatile long recordedPid = Self.PID;
    /** Whether the descriptor was passed to another process, which shares the lock: release never unlocks. */
    private volatile boolean handedOn;

    Hold(Path path, LockBackend backend, boolean inheritable, OpenPidFile file, Exclusion exclusion,
         HeldFiles.Entry<Hold> entry, OwnershipPolicy policy) {
        this.path = path;
        this.backend = backend;
        this.backendId = backend.id();
        this.inheritable = inheritable;
        this.file = file;
        this.exclusion = exclusion;
        this.entry = entry;
        this.policy = policy;
    }

    long recordedPid() {
        return recordedPid;
    }

    /** Writes {@code pid} into the pidfile through the locked descriptor. */
    void record(long pid) {
        if (released) {
            throw new IllegalStateException("the lock on " + path + " was released");
        }
        try {
            file.write(PidContent.format(pid));
        } catch (IOException e) {
            throw IoErrors.translate(path, "write", e);
        }
        recordedPid = pid;
        REGISTRY.recorded(entry, pid);
    }

    OptionalInt descriptor() {
        return file.descriptor();
    }

    /** @return whether the exclusion reports the holding lost (a lease that expired) */
    boolean isLost() {
        return exclusion.lost();
    }

    OptionalLong fencingToken() {
        return released ? OptionalLong.empty() : exclusion.fencingToken();
    }

    void onLost(Runnable listener) {
        exclusion.onLost(listener);
    }

    boolean isReleased() {
        return released;
    }

    /** Gives up one hold; the last one releases. */
    void leave() {
        if (REGISTRY.leave(entry)) {
            release();
        }
    }

    /** From now on, release closes the descriptor only (see {@link #releaseHandedOn()}). */
    void markHandedOn() {
        if (released) {
            throw new IllegalStateException("the lock on " + path + " was released");
        }
        handedOn = true;
    }

    /**
     * Releases now, whatever the count: acts on the file (delete only while locked and only our inode),
     * unlocks (unless the close releases by itself, see {@link #releasedByClose()}), closes, and ends the registry claim. A lock handed on is released as
     * {@link #releaseHandedOn()} says. Does nothing the second time.
     */
    void release() {
        if (handedOn) {
            releaseHandedOn();
            return;
        }
        if (!RELEASED.compareAndSet(this, false, true)) {
            return;
        }
        IOException failure = null;
        String failedOp = null;
        try {
            switch (policy.releaseAction()) {
                case DELETE -> deleteIfOurs();
                case TRUNCATE -> file.write(new byte[0]);
                case KEEP -> { }
            }
        } catch (IOException e) {
            failure = e;
            failedOp = policy.releaseAction() == ReleaseAction.DELETE ? "unlink" : "truncate";
        }
        if (!releasedByClose()) {
            try {
                exclusion.unlock();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                    failedOp = "unlock";
                }
            }
        }
        REGISTRY.close(entry, file, this);
        if (failure == null && closeFailure != null) {
            failure = closeFailure;
            failedOp = "close";
        }
        if (LOG.isLoggable(Level.DEBUG)) { // no lambda allocated per release when nobody logs it
            LOG.log(Level.DEBUG, "released " + path);
        }
        if (failure != null) {
            throw IoErrors.translate(path, failedOp, failure);
        }
    }

    /**
     * Whether the close that ends {@link #release()} releases the lock by itself: the exclusion says a close
     * releases it, and the descriptor was never inheritable, so no other process can share it (the registry
     * closes the claimant's descriptor at once and no other descriptor of the file is open here).
     */
    private boolean releasedByClose() {
        return !inheritable && exclusion.releasedByClose();
    }

    /**
     * Closes this JVM's descriptor without unlocking and without touching the file: the lock stays with the
     * open file description, which a child shares through an inherited descriptor.
     */
    void handOff() {
        if (!RELEASED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("the lock on " + path + " was released");
        }
        REGISTRY.close(entry, file, this);
        LOG.log(Level.DEBUG, () -> "handed " + path + " off to pid " + recordedPid);
        if (closeFailure != null) {
            throw IoErrors.translate(path, "close", closeFailure);
        }
    }

    /**
     * Releases a lock whose descriptor another process shares, without unlocking (an unlock would drop the lock
     * for every process sharing the open file description): closes this JVM's descriptor, then acts on the file
     * (delete, truncate or keep) only if a fresh non-blocking lock on the same inode succeeds, that is when
     * nobody holds the lock any more.
     */
    private void releaseHandedOn() {
        if (!RELEASED.compareAndSet(this, false, true)) {
            return;
        }
        REGISTRY.close(entry, file, this);
        if (closeFailure != null) {
            throw IoErrors.translate(path, "close", closeFailure);
        }
        boolean free = Acquisition.releaseIfFree(path, backend, entry.identity(), policy);
        LOG.log(Level.DEBUG, () -> free ? "released " + path + " (handed on, and nobody holds it now)"
                : "closed " + path + ": it was handed on, and another process still holds it");
    }

    private void deleteIfOurs() throws IOException {
        switch (file.deleteIfStillOurs()) {
            case ABSENT -> LOG.log(Level.WARNING, () -> "pidfile " + path + " was removed by someone else while held");
            case REPLACED -> LOG.log(Level.WARNING, () -> "not removing " + path + ": it names another file now");
            case REMOVED -> { }
        }
    }

    /**
     * Keeps the first failure to close one of this hold's descriptors; the registry calls it while this hold
     * is released (once).
     *
     * @param e the failure
     */
    @Override
    public void accept(IOException e) {
        if (closeFailure == null) {
            closeFailure = e;
        }
    }

    static void ensureShutdownHook() {
        if (HOOK.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(Hold::releaseAll, "pidlock-release"));
            } catch (IllegalStateException e) {
                // the JVM is shutting down already; the caller releases explicitly
                HOOK.set(false);
            }
        }
    }

    private static void releaseAll() {
        for (Hold hold : REGISTRY.owners()) {
            try {
                hold.release();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "release at exit of " + hold.path + " failed: " + e.getMessage());
            }
        }
    }
}
