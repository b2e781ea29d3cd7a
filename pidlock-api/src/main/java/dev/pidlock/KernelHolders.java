package dev.pidlock;

import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import java.util.ArrayList;
import java.util.Collections;

import dev.pidlock.spi.FileIdentity;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The kernel's holders of a locked pidfile whose holder is already confirmed: that one is known, the others are
 * read from {@code /proc} when the list is first looked at (a walk of every process's descriptors, which costs
 * milliseconds on a busy host, so that {@code inspect()} pays it only when asked): the holders at the time they
 * are first looked at (the confirmed one among them when the kernel still shows it holding the lock then, even if
 * the walk could not read its descriptors for a moment), immutable from then on. Before that, {@link #contains} of the confirmed holder and
 * {@link #isEmpty} answer from the confirmation.
 */
final class KernelHolders extends AbstractList<Long> implements RandomAccess {
    private final FileIdentity identity;
    private final Path path;
    private final long confirmed;
    private volatile List<Long> holders;

    /**
     * @param identity  the pidfile's inode
     * @param path      its path
     * @param confirmed a process the kernel showed holding the lock
     */
    KernelHolders(FileIdentity identity, Path path, long confirmed) {
        this.identity = identity;
        this.path = path;
        this.confirmed = confirmed;
    }

    private List<Long> holders() {
        List<Long> read = holders;
        if (read == null) {
            synchronized (this) {
                read = holders;
                if (read == null) {
                    read = Holders.inKernel(identity, path);
                    if (!read.contains(confirmed) && stillHolds()) {
                        // the walk missed it (its descriptors were unreadable for a moment: an exec under way),
                        // and the kernel still shows it holding the lock
                        List<Long> all = new ArrayList<>(read);
                        all.add(confirmed);
                        Collections.sort(all);
                        read = all;
                    }
                    read = List.copyOf(read);
                    holders = read;
                }
            }
        }
        return read;
    }

    /**
     * Whether the confirmed holder still holds the lock, the walk having missed it. While it execs (a daemon's
     * reload keeps its pid and its descriptor), its descriptors cannot be read for a moment: it is asked again
     * for a few milliseconds while it lives.
     */
    private boolean stillHolds() {
        for (int attempt = 0; attempt < STILL_HOLDS_ATTEMPTS; attempt++) {
            if (LockHolders.holds(confirmed, identity.device(), identity.inode(), path)) {
                return true;
            }
            if (!ProcFs.alive(confirmed)) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static final int STILL_HOLDS_ATTEMPTS = 10;

    /** Until the holders are read, the confirmed holder is known to be one without reading them. */
    @Override
    public boolean contains(Object o) {
        return holders == null && o instanceof Long pid && pid == confirmed || holders().contains(o);
    }

    /** Until the holders are read, the confirmed holder is known to be one without reading them. */
    @Override
    public boolean isEmpty() {
        return holders != null && holders.isEmpty();
    }

    @Override
    public Long get(int index) {
        return holders().get(index);
    }

    @Override
    public int size() {
        return holders().size();
    }
}
