package dev.pidlock.cli;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How the command gets the lock: through an inherited descriptor, or under supervision. Asks only for the
 * backend that will be used (probing every backend would cost each run several temporary files).
 */
final class Launch {
    private Launch() {
    }

    /**
     * @param b       the builder, with its backend set
     * @return the backend it will lock with
     * @throws dev.pidlock.PidLockException when the requested backend is unknown or unavailable, or none can lock
     */
    static BackendInfo chosen(PidLock.Builder b) {
        return b.selectedBackend();
    }

    /** @return whether the command can hold the lock through an inherited descriptor */
    static boolean inheritable(BackendInfo chosen) {
        return chosen.capabilities().contains(Capability.INHERITABLE_ACROSS_EXEC);
    }

    /**
     * The process that holds the lock besides this one, once the command it was handed to has exited: the
     * kernel's holders of the locked descriptor's file (processes the command started, which inherited the
     * descriptor), the one that started first. Only processes started since this one are examined (see the
     * body). Called while this process still holds its descriptor, so that
     * only a holder writes the pidfile.
     *
     * @param lock a lock handed to a command, still held here
     * @return the holder; empty when nobody else holds the lock, or the kernel cannot tell
     */
    static OptionalLong otherHolder(PidLock lock) {
        return otherHolder(lock, -1);
    }

    /**
     * {@link #otherHolder(PidLock)} once the command has exited and been reaped. The descriptor reaches other
     * processes by fork from the command or its descendants, whose pids the kernel gives out after the
     * command's: while no pid has been given out in this pid namespace since the command's (to a process or to
     * a thread, anywhere), nothing but the command can have had it, and nothing else is examined.
     *
     * @param lock    a lock handed to a command, still held here
     * @param command the command's pid, reaped; or -1 when the command may still run
     * @return the holder; empty when nobody else holds the lock, or the kernel cannot tell
     */
    static OptionalLong otherHolder(PidLock lock, long command) {
        if (command > 0 && ProcFs.lastPid().orElse(-1) == command) {
            return OptionalLong.empty();
        }
        OptionalInt fd = lock.inheritableDescriptor();
        if (fd.isEmpty()) {
            return OptionalLong.empty();
        }
        Map<String, Object> file;
        try {
            file = Files.readAttributes(Path.of("/proc/self/fd/" + fd.getAsInt()), "unix:dev,ino");
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        long self = ProcessHandle.current().pid();
        // Only processes started since this one can hold it: the descriptor was opened here, and reaches another
        // process by fork (after this one started), or passed over a socket, which is rare and which a miss
        // turns into a message only (the release closes this descriptor and removes the pidfile only if a fresh
        // lock then succeeds). When this process's start cannot be read, every process is examined.
        long since = ProcFs.stat(self).map(ProcStat::startTicks).orElse(Long.MIN_VALUE);
        // the holders of the lock handed on, not of a lock of the other family (a competitor of another backend
        // that holds its own lock for a moment before it sees ours and gives it up)
        LockHolders.Family family = lock.backend().equals("flock") ? LockHolders.Family.FLOCK
                : LockHolders.Family.OFD;
        return LockHolders.of(((Number) file.get("dev")).longValue(), ((Number) file.get("ino")).longValue(),
                        lock.path(), since)
                .stream()
                .flatMap(h -> h.pids(family).stream())
                .filter(pid -> pid != self)
                .min(Comparator.comparingLong(Launch::startTicks).thenComparingLong(pid -> pid))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    private static long startTicks(long pid) {
        return ProcFs.stat(pid).map(ProcStat::startTicks).orElse(Long.MAX_VALUE);
    }

    /**
     * @param b       the builder
     * @param backend the requested backend id, or null
     * @return the builder, with the backend set
     */
    static PidLock.Builder withBackend(PidLock.Builder b, String backend) {
        return backend == null ? b : b.backend(backend);
    }

    /**
     * Applies {@code --owner USER[:GROUP]}.
     *
     * @param b     the builder
     * @param owner the option's value, or null
     * @return the builder
     * @throws Target.UsageException    when the value has no user
     * @throws IllegalArgumentException when the user or group does not exist (a usage error, exit 64)
     */
    static PidLock.Builder withOwner(PidLock.Builder b, String owner) {
        if (owner == null) {
            return b;
        }
        int colon = owner.indexOf(':');
        String user = colon < 0 ? owner : owner.substring(0, colon);
        String group = colon < 0 ? null : owner.substring(colon + 1);
        if (user.isBlank() || (group != null && group.isBlank()) || user.startsWith("-")
                || (group != null && group.startsWith("-"))) {
            // chown(2) reads -1 as "leave unchanged": a negative id would quietly change nothing
            throw new Target.UsageException("--owner takes USER or USER:GROUP, not \"" + owner + "\"");
        }
        try {
            return b.fileOwner(user, group);
        } catch (IllegalArgumentException e) {
            throw new Target.UsageException("--owner " + owner + ": " + e.getMessage());
        }
    }
}
