package dev.pidlock;

import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import dev.pidlock.spi.FileIdentity;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Who holds a locked pidfile, from what the file and the kernel say. */
final class Holders {

    private Holders() {
    }

    /**
     * Who holds a locked pidfile: the pid the file names when that process lives, else the pid the kernel
     * reports when that one lives. The kernel names the process that took a {@code flock}/OFD lock, which may
     * have passed the descriptor to the process that holds it now (as {@code pidlock run} and {@code start} do)
     * and be gone; when neither lives, the holder is a process that inherited the descriptor, and nothing here
     * can name it.
     */
    static OptionalLong holderOf(OptionalLong fromFile, OptionalLong fromKernel) {
        if (lives(fromFile)) {
            return fromFile;
        }
        return lives(fromKernel) ? fromKernel : OptionalLong.empty();
    }

    /**
     * The holder to name in a conflict: the file's pid when the kernel confirms it (that one process's
     * descriptors read, not the lock table), else the kernel's oldest holder, else what the file and the
     * backend's probe say.
     *
     * @param identity   the pidfile's inode
     * @param path       its path
     * @param recorded   the pid the file names
     * @param fromKernel the pid the backend's probe names, asked only when the kernel's holders cannot tell
     * @return the holder; empty when nothing can tell
     */
    static OptionalLong conflictHolder(FileIdentity identity, Path path, OptionalLong recorded,
                                       Supplier<OptionalLong> fromKernel) {
        if (recorded.isPresent()
                && LockHolders.holds(recorded.getAsLong(), identity.device(), identity.inode(), path)) {
            return recorded;
        }
        List<Long> holders = inKernel(identity, path);
        if (!holders.isEmpty()) {
            return OptionalLong.of(primary(holders, recorded));
        }
        return holderOf(recorded, fromKernel.get());
    }

    /**
     * @param identity a pidfile's inode
     * @param path     its path (descriptors are matched by name first)
     * @return the processes the kernel shows holding a lock on it; empty when none, or when it cannot tell
     */
    static List<Long> inKernel(FileIdentity identity, Path path) {
        return LockHolders.of(identity.device(), identity.inode(), path).map(LockHolders::pids).orElse(List.of());
    }

    /**
     * @param holders  the kernel's holders, not empty
     * @param recorded the pid the file names
     * @return the file's pid when the kernel confirms it, else the holder that started first (the ancestor of
     *         the others, when a descriptor was passed down)
     */
    static long primary(List<Long> holders, OptionalLong recorded) {
        if (holders.isEmpty()) {
            throw new IllegalArgumentException("no holders");
        }
        if (recorded.isPresent() && holders.contains(recorded.getAsLong())) {
            return recorded.getAsLong();
        }
        return holders.stream().min(Comparator.comparingLong(Holders::startTicks).thenComparingLong(p -> p))
                .orElseThrow();
    }

    private static long startTicks(long pid) {
        return ProcFs.stat(pid).map(ProcStat::startTicks).orElse(Long.MAX_VALUE);
    }

    /** @return "locked by pid N", with the other holders, and the mismatch when the file names another pid */
    static String describe(List<Long> holders, long holder, OptionalLong recorded) {
        StringBuilder sb = new StringBuilder("locked by pid ").append(holder);
        if (holders.size() > 1) {
            sb.append(" (holders: ").append(holders.stream().map(String::valueOf)
                    .collect(Collectors.joining(", "))).append(')');
        }
        if (recorded.isEmpty()) {
            sb.append("; the pidfile names no pid");
        } else if (!holders.contains(recorded.getAsLong())) {
            sb.append("; the pidfile names pid ").append(recorded.getAsLong())
                    .append(", which does not hold the lock (the kernel's holders win)");
        }
        return sb.toString();
    }

    private static boolean lives(OptionalLong pid) {
        return pid.isPresent() && ProcFs.alive(pid.getAsLong());
    }
}
