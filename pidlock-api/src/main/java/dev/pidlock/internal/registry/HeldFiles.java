package dev.pidlock.internal.registry;

import dev.pidlock.spi.FileIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The registry of the pidfiles a JVM has open, keyed by file identity. It makes a second acquisition in the
 * same JVM a clear refusal instead of an {@code OverlappingFileLockException} or a silent double grant (POSIX
 * locks never conflict within a process), and it keeps pidlock from closing a descriptor of a file while
 * another descriptor of it is locked or being locked here (closing any descriptor drops a POSIX lock): such a
 * descriptor is parked and closed only once the claim ends.
 *
 * <p>A file is <em>claimed</em> by one acquisition from its open to its release, and <em>held</em> by an
 * owner of type {@code O} once that acquisition has the lock; holds are counted for re-entry.
 *
 * <p>All state is guarded by the registry's monitor; the operations are short and never do I/O while
 * holding it, except closing descriptors that no claim can be affected by.
 *
 * @param <O> what represents a held file
 */
public final class HeldFiles<O> {

    /**
     * One file this JVM has open.
     *
     * @param <O> what represents a held file
     */
    public static final class Entry<O> {
        private final FileIdentity identity;
        private int openHandles;
        private Closeable claimant;
        private O owner;
        private int holds;
        private final List<Closeable> parked = new ArrayList<>();

        private Entry(FileIdentity identity) {
            this.identity = identity;
        }

        /** @return the file */
        public FileIdentity identity() {
            return identity;
        }
    }

    private final Object monitor = new Object();
    private final Map<FileIdentity, Entry<O>> entries = new HashMap<>();
    /** Descriptors whose file is not known: closed only when no file is claimed here. */
    private final List<Closeable> unknown = new ArrayList<>();

    /** Creates an empty registry; pidlock keeps one per JVM. */
    public HeldFiles() {
    }

    /**
     * Registers a newly opened descriptor of {@code identity}.
     *
     * @param identity the file
     * @return the file's entry, to pass to the other operations
     */
    public Entry<O> opened(FileIdentity identity) {
        synchronized (monitor) {
            Entry<O> e = entries.computeIfAbsent(identity, Entry::new);
            e.openHandles++;
            return e;
        }
    }

    /**
     * Claims the file for an acquisition through {@code file}: only one claim per file and JVM.
     *
     * @param entry the file's entry
     * @param file  the descriptor the acquisition locks
     * @return true when claimed; false when another acquisition here holds or is acquiring it
     */
    public boolean claim(Entry<O> entry, Closeable file) {
        synchronized (monitor) {
            if (entry.claimant != null) {
                return false;
            }
            entry.claimant = file;
            return true;
        }
    }

    /**
     * Records that the claim now holds the lock.
     *
     * @param entry the file's entry
     * @param owner what represents the hold
     */
    public void held(Entry<O> entry, O owner) {
        synchronized (monitor) {
            entry.owner = owner;
            entry.holds = 1;
        }
    }

    /**
     * @param identity a file
     * @return whether an acquisition of this JVM holds it or is acquiring it
     */
    public boolean isClaimed(FileIdentity identity) {
        synchronized (monitor) {
            Entry<O> e = entries.get(identity);
            return e != null && e.claimant != null;
        }
    }

    /**
     * @param identity a file
     * @return what holds it in this JVM; empty when nothing does, or an acquisition has not finished
     */
    public Optional<O> owner(FileIdentity identity) {
        synchronized (monitor) {
            Entry<O> e = entries.get(identity);
            return e == null || e.claimant == null ? Optional.empty() : Optional.ofNullable(e.owner);
        }
    }

    /**
     * Counts one more hold of a held file (re-entry).
     *
     * @param identity the file
     * @param owner    the hold to count
     * @return whether it was counted (false when the file is not held, or is held by another owner)
     */
    public boolean enter(FileIdentity identity, O owner) {
        synchronized (monitor) {
            Entry<O> e = entries.get(identity);
            if (e == null || e.owner != owner || e.holds <= 0) {
                return false;
            }
            e.holds++;
            return true;
        }
    }

    /**
     * Gives up one hold.
     *
     * @param entry the file's entry
     * @return true when that was the last, so the lock must be released
     */
    public boolean leave(Entry<O> entry) {
        synchronized (monitor) {
            entry.holds--;
            return entry.holds <= 0;
        }
    }

    /**
     * Closes a descriptor, ending its claim if it has one: parked when another descriptor of the file is
     * claimed, closed at once otherwise.
     *
     * @param entry   the file's entry
     * @param file    the descriptor
     * @param onError told when closing fails
     */
    public void close(Entry<O> entry, Closeable file, Consumer<IOException> onError) {
        synchronized (monitor) {
            boolean closeNow = entry.claimant == null || entry.claimant == file;
            if (!closeNow) {
                entry.parked.add(file);
                return;
            }
            if (entry.claimant == file) {
                entry.claimant = null;
                entry.owner = null;
                entry.holds = 0;
            }
        }
        closeQuietly(file, onError);
        finish(entry, onError);
    }

    /**
     * Closes a descriptor whose file is not known (it changed while being opened): at once when no file is
     * claimed in this JVM, otherwise once none is.
     *
     * @param file    the descriptor
     * @param onError told when closing fails
     */
    public void closeUnknown(Closeable file, Consumer<IOException> onError) {
        synchronized (monitor) {
            if (entries.values().stream().anyMatch(e -> e.claimant != null)) {
                unknown.add(file);
                return;
            }
        }
        closeQuietly(file, onError);
    }

    private void finish(Entry<O> entry, Consumer<IOException> onError) {
        List<Closeable> toClose;
        synchronized (monitor) {
            entry.openHandles--;
            if (entry.claimant != null) {
                return;
            }
            toClose = new ArrayList<>(entry.parked);
            entry.parked.clear();
            entry.openHandles -= toClose.size();
            if (entry.openHandles <= 0 && entries.get(entry.identity) == entry) {
                entries.remove(entry.identity);
            }
            if (!unknown.isEmpty() && entries.values().stream().noneMatch(e -> e.claimant != null)) {
                toClose.addAll(unknown);
                unknown.clear();
            }
            monitor.notifyAll();
        }
        for (Closeable c : toClose) {
            closeQuietly(c, onError);
        }
    }

    private static void closeQuietly(Closeable c, Consumer<IOException> onError) {
        try {
            c.close();
        } catch (IOException e) {
            onError.accept(e);
        }
    }

    /**
     * Waits until no acquisition of this JVM holds or claims {@code identity}, or the time passes.
     *
     * @param identity the file
     * @param nanos    how long to wait at most
     * @return whether the file became free of claims here
     * @throws InterruptedException when interrupted
     */
    public boolean awaitUnclaimed(FileIdentity identity, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (monitor) {
            while (true) {
                Entry<O> e = entries.get(identity);
                if (e == null || e.claimant == null) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
            }
        }
    }

    /** @return the owners of every held file, for release at JVM exit */
    public List<O> owners() {
        synchronized (monitor) {
            List<O> out = new ArrayList<>();
            for (Entry<O> e : entries.values()) {
                if (e.owner != null) {
                    out.add(e.owner);
                }
            }
            return out;
        }
    }
}
