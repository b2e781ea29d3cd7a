package dev.pidlock;

import dev.pidlock.internal.registry.HeldFiles;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One held pidfile, shared by every {@link PidLock} that re-entered it. Released exactly once: by the last
 * {@link PidLock#close()}, or by the shutdown hook.
 */
final class Hold {
    private static final AtomicBoolean HOOK = new AtomicBoolean();

    final Path path;
    final String backendId;
    private final LockBackend backend;
    final boolean inheritable;
    private final PidFileHandle handle;
    private final FileIdentity identity;
    private final HeldFiles.Entry entry;
    private final OwnershipPolicy policy;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile long recordedPid = Acquisition.SELF;

    Hold(Path path, LockBackend backend, boolean inheritable, PidFileHandle handle, FileIdentity identity,
         HeldFiles.Entry entry, OwnershipPolicy policy) {
        this.path = path;
        this.backend = backend;
        this.backendId = backend.id();
        this.inheritable = inheritable;
        this.handle = handle;
        this.identity = identity;
        this.entry = entry;
        this.policy = policy;
    }

    long recordedPid() {
        return recordedPid;
    }

    /** Writes {@code pid} into the pidfile through the locked descriptor. */
    void record(long pid) {
        if (released.get()) {
            throw new IllegalStateException("the lock on " + path + " was released");
        }
        try {
            handle.replaceContent(dev.pidlock.internal.content.PidContent.format(pid));
        } catch (IOException e) {
            throw IoErrors.translate(path, "write", e);
        }
        recordedPid = pid;
    }

    java.util.OptionalInt descriptor() {
        return handle.descriptor();
    }

    boolean isReleased() {
        return released.get();
    }

    /** Gives up one hold; the last one releases. */
    void leave() {
        if (HeldFiles.leave(entry)) {
            release();
        }
    }

    /**
     * Releases now, whatever the count: acts on the file (delete only while locked and only our inode),
     * unlocks, closes, and ends the registry claim. Does nothing the second time.
     */
    void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        IOException failure = null;
        String failedOp = null;
        try {
            switch (policy.releaseAction()) {
                case DELETE -> deleteIfOurs();
                case TRUNCATE -> handle.replaceContent(new byte[0]);
                case KEEP -> { }
            }
        } catch (IOException e) {
            failure = e;
            failedOp = policy.releaseAction() == dev.pidlock.spi.ReleaseAction.DELETE ? "unlink" : "truncate";
        }
        try {
            handle.unlock();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
                failedOp = "unlock";
            }
        }
        IOException[] closeFailure = new IOException[1];
        HeldFiles.close(entry, handle, e -> closeFailure[0] = e);
        if (failure == null && closeFailure[0] != null) {
            failure = closeFailure[0];
            failedOp = "close";
        }
        Acquisition.LOG.log(Level.INFO, () -> "released " + path);
        if (failure != null) {
            throw IoErrors.translate(path, failedOp, failure);
        }
    }

    /**
     * Closes this JVM's descriptor without unlocking and without touching the file: the lock stays with the
     * open file description, which a child shares through an inherited descriptor.
     */
    void handOff() {
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException("the lock on " + path + " was released");
        }
        IOException[] failure = new IOException[1];
        HeldFiles.close(entry, handle, e -> failure[0] = e);
        Acquisition.LOG.log(Level.INFO, () -> "handed " + path + " off to pid " + recordedPid);
        if (failure[0] != null) {
            throw IoErrors.translate(path, "close", failure[0]);
        }
    }

    private void deleteIfOurs() throws IOException {
        Optional<PathFacts> now = backend.examine(path);
        if (now.isEmpty()) {
            Acquisition.LOG.log(Level.WARNING, () -> "pidfile " + path + " was removed by someone else while held");
            return;
        }
        if (!now.get().identity().equals(identity)) {
            Acquisition.LOG.log(Level.WARNING, () -> "not removing " + path + ": it names another file now");
            return;
        }
        try {
            handle.deletePath();
        } catch (NoSuchFileException e) {
            // gone already: nothing to do
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
        for (Object owner : HeldFiles.owners()) {
            if (owner instanceof Hold hold) {
                try {
                    hold.release();
                } catch (RuntimeException e) {
                    Acquisition.LOG.log(Level.WARNING, () -> "release at exit of " + hold.path + " failed: "
                            + e.getMessage());
                }
            }
        }
    }
}
