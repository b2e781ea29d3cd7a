package dev.pidlock.internal.registry;

import dev.pidlock.spi.FileIdentity;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 * <p><b>One per JVM, across class loaders.</b> Two copies of pidlock loaded by different class loaders (two web
 * applications in one server) each have their own classes, so a static field would give each its own registry,
 * and the kernel would let both lock a file with a POSIX lock, or let one drop the other's by closing a
 * descriptor. The state of {@link #jvmWide()} therefore lives in an object of {@code java.base}, which every
 * loader shares: a {@link ConcurrentHashMap} stored in {@link System#getProperties()} under {@link #PROPERTY}. It
 * maps {@code "DEV:INO"} to an {@code Object[]} of the file's state, and holds only {@code java.base} types
 * ({@code Integer}, {@code Long}, {@link ArrayList}, {@link Closeable}); an owner is kept as an {@code Object}
 * with the registry it belongs to, and only that registry casts it back. The map is the monitor of all state,
 * so a copy waits for a release by another copy. The layout is versioned by the property's name: a pidlock
 * with another layout uses another name.
 *
 * <p>All state is guarded by that monitor; the operations are short and never do I/O while holding it, except
 * closing descriptors that no claim can be affected by.
 *
 * @param <O> what represents a held file
 */
public final class HeldFiles<O> {

    /**
     * The system property (a {@link ConcurrentMap}, not a string) that holds the JVM-wide state. Version 1 of
     * the layout: see the slot constants.
     */
    public static final String PROPERTY = "dev.pidlock.registry.1";

    // The slots of a file's state, an Object[] (java.base types only, so that every loader can read them).
    private static final int OPEN_HANDLES = 0; // Integer: descriptors of the file open through any registry
    private static final int CLAIMANT = 1; // Closeable: the descriptor of the acquisition that claims the file
    private static final int OWNER = 2; // Object: what holds it, an O of the registry in OWNER_REGISTRY
    private static final int OWNER_REGISTRY = 3; // Object: the token of the registry that claimed it
    private static final int HOLDS = 4; // Integer: holds counted for re-entry
    private static final int PARKED = 5; // ArrayList<Closeable>: descriptors closed once the claim ends
    private static final int RECORDED_PID = 6; // Long: the pid the holder wrote into the file, when not its own
    private static final int SLOTS = 7;
    /** The key of the descriptors whose file is not known; no file key has this form. */
    private static final String UNKNOWN = "unknown";

    /**
     * One file this JVM has open, as seen by one registry.
     *
     * @param <O> what represents a held file
     */
    public static final class Entry<O> {
        private final FileIdentity identity;
        private final String key;
        private final Object[] state;

        private Entry(FileIdentity identity, String key, Object[] state) {
            this.identity = identity;
            this.key = key;
            this.state = state;
        }

        /** @return the file */
        public FileIdentity identity() {
            return identity;
        }
    }

    private final ConcurrentMap<String, Object> shared;
    /** Identifies this registry's owners in the shared state. */
    private final Object token = new Object();

    /** Creates a registry of its own, which shares no state with any other; for tests. */
    public HeldFiles() {
        this(new ConcurrentHashMap<>());
    }

    /**
     * Creates a registry over shared state: registries over the same map behave as copies of pidlock in one JVM.
     *
     * @param shared the state, empty at first; only registries use it
     */
    public HeldFiles(ConcurrentMap<String, Object> shared) {
        this.shared = shared;
    }

    /**
     * The registry of this copy of pidlock over the state every copy in the JVM shares. Call it once per copy
     * (the caller keeps it in a static field).
     *
     * @param <O> what represents a held file
     * @return a new registry over the JVM-wide state
     */
    public static <O> HeldFiles<O> jvmWide() {
        return new HeldFiles<>(anchor(System.getProperties()));
    }

    /**
     * @param properties the system properties
     * @return the JVM-wide state stored in them, created on first use; a state of its own when the property holds
     *         something else
     */
    @SuppressWarnings("unchecked")
    static ConcurrentMap<String, Object> anchor(Properties properties) {
        Object existing = properties.get(PROPERTY);
        if (existing == null) {
            ConcurrentMap<String, Object> fresh = new ConcurrentHashMap<>();
            existing = properties.putIfAbsent(PROPERTY, fresh);
            if (existing == null) {
                return fresh;
            }
        }
        if (existing instanceof ConcurrentMap<?, ?> map) {
            return (ConcurrentMap<String, Object>) map;
        }
        System.getLogger("dev.pidlock").log(System.Logger.Level.WARNING, () -> "system property " + PROPERTY
                + " is not pidlock's registry; this copy of pidlock keeps a registry of its own");
        return new ConcurrentHashMap<>();
    }

    /**
     * The last key made, for the file an acquisition looks up twice and a program locks again and again. It
     * starts as a true key (of device and inode -1): every copy of pidlock must key every file alike.
     */
    private static volatile LastKey lastKey = new LastKey(-1, -1,
            Long.toUnsignedString(-1) + ":" + Long.toUnsignedString(-1));

    private record LastKey(long device, long inode, String key) {
    }

    private static String key(FileIdentity identity) {
        long device = identity.device();
        long inode = identity.inode();
        LastKey last = lastKey;
        if (last.device == device && last.inode == inode) {
            return last.key;
        }
        String key;
        if (device >= 0 && inode >= 0) { // the same text, without a String per number
            key = new StringBuilder(41).append(device).append(':').append(inode).toString();
        } else {
            key = Long.toUnsignedString(device) + ":" + Long.toUnsignedString(inode);
        }
        lastKey = new LastKey(device, inode, key);
        return key;
    }

    private Object[] state(FileIdentity identity) {
        return state(key(identity));
    }

    private Object[] state(String key) {
        Object value = shared.get(key);
        return value instanceof Object[] state ? state : null;
    }

    private static int count(Object[] state, int slot) {
        return (Integer) state[slot];
    }

    @SuppressWarnings("unchecked")
    private static List<Closeable> closeables(Object value) {
        return (List<Closeable>) value;
    }

    private boolean anyClaimed() {
        for (Object value : shared.values()) {
            if (value instanceof Object[] state && state[CLAIMANT] != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Registers a newly opened descriptor of {@code identity}.
     *
     * @param identity the file
     * @return the file's entry, to pass to the other operations
     */
    public Entry<O> opened(FileIdentity identity) {
        String key = key(identity);
        synchronized (shared) {
            Object[] state = state(key);
            if (state == null) {
                state = new Object[SLOTS];
                state[OPEN_HANDLES] = 0;
                state[HOLDS] = 0;
                state[PARKED] = new ArrayList<Closeable>();
                shared.put(key, state);
            }
            state[OPEN_HANDLES] = count(state, OPEN_HANDLES) + 1;
            return new Entry<>(identity, key, state);
        }
    }

    /**
     * Claims the file for an acquisition through {@code file}: only one claim per file and JVM.
     *
     * @param entry the file's entry
     * @param file  the descriptor the acquisition locks
     * @return true when claimed; false when another acquisition in this JVM holds or is acquiring it
     */
    public boolean claim(Entry<O> entry, Closeable file) {
        synchronized (shared) {
            if (entry.state[CLAIMANT] != null) {
                return false;
            }
            entry.state[CLAIMANT] = file;
            entry.state[OWNER_REGISTRY] = token;
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
        synchronized (shared) {
            entry.state[OWNER] = owner;
            entry.state[HOLDS] = 1;
        }
    }

    /**
     * Records the pid the holder wrote into the file, for {@link #recordedPid}.
     *
     * @param entry the file's entry
     * @param pid   the pid
     */
    public void recorded(Entry<O> entry, long pid) {
        synchronized (shared) {
            entry.state[RECORDED_PID] = pid;
        }
    }

    /**
     * @param identity a file
     * @return whether an acquisition of this JVM (through any copy of pidlock) holds it or is acquiring it
     */
    public boolean isClaimed(FileIdentity identity) {
        synchronized (shared) {
            Object[] state = state(identity);
            return state != null && state[CLAIMANT] != null;
        }
    }

    /**
     * @param identity a file
     * @return what holds it through this registry; empty when nothing does, an acquisition has not finished, or
     *         another copy of pidlock holds it
     */
    @SuppressWarnings("unchecked")
    public Optional<O> owner(FileIdentity identity) {
        synchronized (shared) {
            Object[] state = state(identity);
            return state == null || state[CLAIMANT] == null || state[OWNER_REGISTRY] != token
                    ? Optional.empty() : Optional.ofNullable((O) state[OWNER]);
        }
    }

    /**
     * @param identity a file
     * @return the pid its holder in this JVM (through any copy of pidlock) wrote into it, when it recorded one
     *         other than its own; empty when it did not, or the file is not claimed
     */
    public OptionalLong recordedPid(FileIdentity identity) {
        synchronized (shared) {
            Object[] state = state(identity);
            return state == null || state[CLAIMANT] == null || !(state[RECORDED_PID] instanceof Long pid)
                    ? OptionalLong.empty() : OptionalLong.of(pid);
        }
    }

    /**
     * Counts one more hold of a held file (re-entry).
     *
     * @param identity the file
     * @param owner    the hold to count
     * @return whether it was counted (false when the file is not held, or is held by another owner or through
     *         another registry)
     */
    public boolean enter(FileIdentity identity, O owner) {
        synchronized (shared) {
            Object[] state = state(identity);
            if (state == null || state[OWNER] != owner || state[OWNER_REGISTRY] != token || count(state, HOLDS) <= 0) {
                return false;
            }
            state[HOLDS] = count(state, HOLDS) + 1;
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
        synchronized (shared) {
            int holds = count(entry.state, HOLDS) - 1;
            entry.state[HOLDS] = holds;
            return holds <= 0;
        }
    }

    /**
     * Closes a descriptor, ending its claim if it has one: parked when another descriptor of the file is
     * claimed (through any copy of pidlock), closed at once otherwise.
     *
     * @param entry   the file's entry
     * @param file    the descriptor
     * @param onError told when closing fails
     */
    public void close(Entry<O> entry, Closeable file, Consumer<IOException> onError) {
        synchronized (shared) {
            Object[] state = entry.state;
            boolean closeNow = state[CLAIMANT] == null || state[CLAIMANT] == file;
            if (!closeNow) {
                closeables(state[PARKED]).add(file);
                return;
            }
            if (state[CLAIMANT] == file) {
                state[CLAIMANT] = null;
                state[OWNER] = null;
                state[OWNER_REGISTRY] = null;
                state[RECORDED_PID] = null;
                state[HOLDS] = 0;
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
        synchronized (shared) {
            if (anyClaimed()) {
                closeables(shared.computeIfAbsent(UNKNOWN, k -> new ArrayList<Closeable>())).add(file);
                return;
            }
        }
        closeQuietly(file, onError);
    }

    private void finish(Entry<O> entry, Consumer<IOException> onError) {
        List<Closeable> toClose;
        synchronized (shared) {
            Object[] state = entry.state;
            state[OPEN_HANDLES] = count(state, OPEN_HANDLES) - 1;
            if (state[CLAIMANT] != null) {
                return;
            }
            List<Closeable> parked = closeables(state[PARKED]);
            toClose = parked.isEmpty() ? new ArrayList<>(0) : new ArrayList<>(parked);
            parked.clear();
            state[OPEN_HANDLES] = count(state, OPEN_HANDLES) - toClose.size();
            if (count(state, OPEN_HANDLES) <= 0) {
                shared.remove(entry.key, state);
            }
            Object unknown = shared.get(UNKNOWN);
            if (unknown != null && !anyClaimed()) {
                toClose.addAll(closeables(unknown));
                shared.remove(UNKNOWN);
            }
            shared.notifyAll();
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
     * Waits until no acquisition of this JVM (through any copy of pidlock) holds or claims {@code identity}, or
     * the time passes.
     *
     * @param identity the file
     * @param nanos    how long to wait at most
     * @return whether the file became free of claims here
     * @throws InterruptedException when interrupted
     */
    public boolean awaitUnclaimed(FileIdentity identity, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (shared) {
            while (true) {
                Object[] state = state(identity);
                if (state == null || state[CLAIMANT] == null) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(shared, left);
            }
        }
    }

    /** @return the owners of every file held through this registry, for release at JVM exit */
    @SuppressWarnings("unchecked")
    public List<O> owners() {
        synchronized (shared) {
            List<O> out = new ArrayList<>();
            for (Object value : shared.values()) {
                if (value instanceof Object[] state && state[OWNER] != null && state[OWNER_REGISTRY] == token) {
                    out.add((O) state[OWNER]);
                }
            }
            return out;
        }
    }
}
