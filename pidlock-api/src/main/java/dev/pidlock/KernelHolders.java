package dev.pidlock;

import dev.pidlock.spi.FileIdentity;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/**
 * The kernel's holders of a locked pidfile whose holder is already confirmed: that one is known, the others are
 * read from {@code /proc} when the list is first looked at (a walk of every process's descriptors, which costs
 * milliseconds on a busy host, so that {@code inspect()} pays it only when asked). Immutable once read; the
 * confirmed holder is always in it.
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
                    List<Long> found = new ArrayList<>(Holders.inKernel(identity, path));
                    if (!found.contains(confirmed)) {
                        found.add(confirmed);
                        found.sort(null);
                    }
                    read = List.copyOf(found);
                    holders = read;
                }
            }
        }
        return read;
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof Long pid && pid == confirmed || holders().contains(o);
    }

    /** @return false: the confirmed holder is in the list, whatever the walk finds */
    @Override
    public boolean isEmpty() {
        return false;
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
