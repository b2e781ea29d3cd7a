package dev.pidlock.internal.registry;

import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The JVM-wide registry of the pidfiles this JVM has open, keyed by file identity. It makes a second
 * acquisition in the same JVM a clear refusal instead of an {@code OverlappingFileLockException} or a
 * silent double grant (POSIX locks never conflict within a process), and it keeps pidlock from closing a
 * descriptor of a file while another descriptor of it is locked or being locked here (closing any
 * descriptor drops a POSIX lock): such a descriptor is parked and closed only once the claim ends.
 *
 * <p>All state is guarded by the registry's monitor; the operations are short and never do I/O while
 * holding it, except closing descriptors that no claim can be affected by.
 */
public final class HeldFiles {

    /** One file this JVM has open. */
    public static final class Entry {
        private final FileIdentity identity;
        private int openHandles;
        private PidFileHandle claimant;
        private Object owner;
        private int holds;
        private final List<PidFileHandle> parked = new ArrayList<>();

        private Entry(FileIdentity identity) {
            this.identity = identity;
        }

        /** @return the file */
        public FileIdentity identity() {
            return identity;
        }
    }

    private static final Object MONITOR = new Object();
    private static final Map<FileIdentity, Entry> ENTRIES = new HashMap<>();
    /** Handles whose file is not known: closed only when no file is claimed here. */
    private static final List<PidFileHandle> UNKNOWN = new ArrayList<>();

    private HeldFiles() {
    }

    /**
     * Registers a newly opened handle of {@code identity}.
     *
     * @return the file's entry, to pass to the other operations
     */
    public static Entry opened(FileIdentity identity) {
        synchronized (MONITOR) {
            Entry e = ENTRIES.computeIfAbsent(identity, Entry::new);
            e.openHandles++;
            return e;
        }
    }

    /**
     * Claims the file for an acquisition through {@code handle}: only one claim per file and JVM.
     *
     * @return true when claimed; false when another acquisition here holds or is acquiring it
     */
    public static boolean claim(Entry entry, PidFileHandle handle) {
        synchronized (MONITOR) {
            if (entry.claimant != null) {
                return false;
            }
            entry.claimant = handle;
            return true;
        }
    }

    /**
     * Records that the claim now holds the lock.
     *
     * @param owner what represents the hold
     */
    public static void held(Entry entry, Object owner) {
        synchronized (MONITOR) {
            entry.owner = owner;
            entry.holds = 1;
        }
    }

    /**
     * @param identity a file
     * @return what holds it in this JVM, when something does (an acquisition still locking counts as
     *         empty-owner claim: {@code Optional.of(CLAIMED)})
     */
    public static Optional<Object> holder(FileIdentity identity) {
        synchronized (MONITOR) {
            Entry e = ENTRIES.get(identity);
            if (e == null || e.claimant == null) {
                return Optional.empty();
            }
            return Optional.of(e.owner != null ? e.owner : CLAIMED);
        }
    }

    /** Stands for a claim whose acquisition has not finished. */
    public static final Object CLAIMED = new Object() {
        @Override
        public String toString() {
            return "an acquisition in progress";
        }
    };

    /**
     * Counts one more hold of a held file (re-entry).
     *
     * @return whether it was counted (false when the file is not held, or is held by another owner)
     */
    public static boolean enter(FileIdentity identity, Object owner) {
        synchronized (MONITOR) {
            Entry e = ENTRIES.get(identity);
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
     * @return true when that was the last, so the lock must be released
     */
    public static boolean leave(Entry entry) {
        synchronized (MONITOR) {
            entry.holds--;
            return entry.holds <= 0;
        }
    }

    /**
     * Closes a handle that does not hold the lock: parked when another handle of the file is claimed, closed
     * at once otherwise.
     *
     * @param onError told when closing fails
     */
    public static void close(Entry entry, PidFileHandle handle, Consumer<IOException> onError) {
        boolean closeNow;
        synchronized (MONITOR) {
            closeNow = entry.claimant == null || entry.claimant == handle;
            if (!closeNow) {
                entry.parked.add(handle);
                return;
            }
            if (entry.claimant == handle) {
                entry.claimant = null;
                entry.owner = null;
                entry.holds = 0;
            }
        }
        closeQuietly(handle, onError);
        finish(entry, 1, onError);
    }

    /**
     * Closes a handle whose file is not known (it changed while being opened): at once when no file is
     * claimed in this JVM, otherwise once none is.
     *
     * @param onError told when closing fails
     */
    public static void closeUnknown(PidFileHandle handle, Consumer<IOException> onError) {
        synchronized (MONITOR) {
            if (ENTRIES.values().stream().anyMatch(e -> e.claimant != null)) {
                UNKNOWN.add(handle);
                return;
            }
        }
        closeQuietly(handle, onError);
    }

    private static void finish(Entry entry, int closed, Consumer<IOException> onError) {
        List<PidFileHandle> toClose;
        synchronized (MONITOR) {
            entry.openHandles -= closed;
            if (entry.claimant != null) {
                return;
            }
            toClose = new ArrayList<>(entry.parked);
            entry.parked.clear();
            entry.openHandles -= toClose.size();
            if (entry.openHandles <= 0 && ENTRIES.get(entry.identity) == entry) {
                ENTRIES.remove(entry.identity);
            }
            if (!UNKNOWN.isEmpty() && ENTRIES.values().stream().noneMatch(e -> e.claimant != null)) {
                toClose.addAll(UNKNOWN);
                UNKNOWN.clear();
            }
            MONITOR.notifyAll();
        }
        for (PidFileHandle h : toClose) {
            closeQuietly(h, onError);
        }
    }

    private static void closeQuietly(PidFileHandle h, Consumer<IOException> onError) {
        try {
            h.close();
        } catch (IOException e) {
            onError.accept(e);
        }
    }

    /**
     * Waits until no acquisition of this JVM holds or claims {@code identity}, or the time passes.
     *
     * @return whether the file became free of claims here
     * @throws InterruptedException when interrupted
     */
    public static boolean awaitUnclaimed(FileIdentity identity, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (MONITOR) {
            while (true) {
                Entry e = ENTRIES.get(identity);
                if (e == null || e.claimant == null) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(MONITOR, left);
            }
        }
    }

    /** @return the owners of every held file, for release at JVM exit */
    public static List<Object> owners() {
        synchronized (MONITOR) {
            List<Object> out = new ArrayList<>();
            for (Entry e : ENTRIES.values()) {
                if (e.owner != null) {
                    out.add(e.owner);
                }
            }
            return out;
        }
    }

    /** @return how many files this JVM has open through pidlock */
    public static int size() {
        synchronized (MONITOR) {
            return ENTRIES.size();
        }
    }
}
