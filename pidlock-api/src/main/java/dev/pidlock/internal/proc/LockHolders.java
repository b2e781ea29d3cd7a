package dev.pidlock.internal.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who holds a lock on one file, as the kernel shows it: the granted locks on its inode in {@code /proc/locks},
 * and for the locks that belong to an open file description ({@code flock}, OFD) every process that has a
 * descriptor of that description, found through {@code /proc/PID/fd} and the lock lines of
 * {@code /proc/PID/fdinfo/FD}. A POSIX lock belongs to one process, which {@code /proc/locks} names. The pids
 * are those of this process's pid namespace: a holder in a child namespace is seen by its pid here.
 *
 * @param pids     the holders' pids, ascending; empty when nothing holds a lock on the inode, or when no holder
 *                 could be found (see {@code complete})
 * @param families the lock families held on the inode
 * @param complete whether every holder was found: false when a process could not be examined (another
 *                 user's, without privilege) or the kernel named no pid for a POSIX lock (a holder outside this
 *                 pid namespace)
 */
public record LockHolders(List<Long> pids, Set<Family> families, boolean complete) {

    /** The two families of locks, which the kernel keeps apart: a lock of one does not conflict with the other. */
    public enum Family {
        /** {@code flock(2)}: held by an open file description. */
        FLOCK,
        /** {@code fcntl(2)} OFD locks: held by an open file description; conflict with POSIX locks. */
        OFD,
        /** {@code fcntl(2)} and {@code lockf(3)} POSIX locks: held by a process. */
        POSIX;

        static Optional<Family> of(String kind) {
            return switch (kind) {
                case "FLOCK" -> Optional.of(FLOCK);
                case "OFDLCK" -> Optional.of(OFD);
                case "POSIX" -> Optional.of(POSIX);
                default -> Optional.empty(); // leases, DELEG
            };
        }

        /** @return whether a lock of this family and one of {@code other} exclude each other */
        public boolean conflictsWith(Family other) {
            return (this == FLOCK) == (other == FLOCK);
        }
    }

    /** A record with the pids sorted and every collection copied. */
    public LockHolders {
        pids = List.copyOf(new TreeSet<>(pids));
        families = families.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(families));
    }

    /** @return whether the kernel shows a granted lock on the inode */
    public boolean locked() {
        return !families.isEmpty();
    }

    /**
     * The holders of the locks on one inode.
     *
     * @param device the file's device ({@code st_dev})
     * @param inode  the file's inode number
     * @return the holders; empty when {@code /proc/locks} cannot be read
     */
    public static Optional<LockHolders> of(long device, long inode) {
        Optional<List<ProcLock>> all = ProcFs.locks();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Set<Family> families = EnumSet.noneOf(Family.class);
        Set<Long> pids = new TreeSet<>();
        boolean complete = true;
        boolean descriptionLocks = false;
        for (ProcLock lock : all.get()) {
            if (lock.waiting() || !lock.isOn(device, inode)) {
                continue;
            }
            Optional<Family> family = Family.of(lock.kind());
            if (family.isEmpty()) {
                continue;
            }
            families.add(family.get());
            if (family.get() == Family.POSIX) {
                if (lock.pid() > 0) {
                    pids.add(lock.pid());
                } else {
                    complete = false;
                }
            } else {
                descriptionLocks = true;
            }
        }
        if (descriptionLocks) {
            complete &= holdersOfDescriptions(device, inode, pids);
        }
        return Optional.of(new LockHolders(new ArrayList<>(pids), families, complete));
    }

    /**
     * Whether one process holds a lock on the inode: a POSIX lock the kernel lists under its pid, or a
     * {@code flock}/OFD lock on one of its descriptors. Cheaper than {@link #of} when the candidate is known (the
     * pid a pidfile names): it reads that one process's descriptors, not every process's.
     *
     * @param pid    the candidate
     * @param device the file's device
     * @param inode  the file's inode number
     * @return whether the kernel shows it holding a lock on the inode
     */
    public static boolean holds(long pid, long device, long inode) {
        if (pid <= 0) {
            return false;
        }
        Optional<List<ProcLock>> all = ProcFs.locks();
        if (all.isEmpty()) {
            return false;
        }
        boolean descriptionLocks = false;
        for (ProcLock lock : all.get()) {
            if (lock.waiting() || !lock.isOn(device, inode)) {
                continue;
            }
            Optional<Family> family = Family.of(lock.kind());
            if (family.isPresent() && family.get() == Family.POSIX && lock.pid() == pid) {
                return true;
            }
            descriptionLocks |= family.isPresent() && family.get() != Family.POSIX;
        }
        return descriptionLocks
                && holdsDescriptionLock(ProcFs.PROC.resolve(Long.toString(pid)), pid, device, inode) == Answer.YES;
    }

    /**
     * Adds every process with a descriptor of the inode whose fdinfo shows a {@code flock} or OFD lock on it.
     *
     * @return whether every process could be examined
     */
    private static boolean holdersOfDescriptions(long device, long inode, Set<Long> pids) {
        boolean complete = true;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(ProcFs.PROC)) {
            for (Path proc : procs) {
                long pid = pidOf(proc.getFileName().toString());
                if (pid <= 0 || pids.contains(pid)) {
                    continue;
                }
                switch (holdsDescriptionLock(proc, pid, device, inode)) {
                    case YES -> pids.add(pid);
                    case UNREADABLE -> complete = false;
                    case NO -> { }
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return complete;
    }

    private enum Answer { YES, NO, UNREADABLE }

    private static Answer holdsDescriptionLock(Path proc, long pid, long device, long inode) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (!sameFile(fd, device, inode)) {
                    continue;
                }
                int n;
                try {
                    n = Integer.parseInt(fd.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                Optional<List<ProcLock>> locks = ProcFs.fdLocks(pid, n);
                if (locks.isPresent() && locks.get().stream().anyMatch(l -> !l.waiting() && l.isOn(device, inode)
                        && Family.of(l.kind()).filter(f -> f != Family.POSIX).isPresent())) {
                    return Answer.YES;
                }
            }
            return Answer.NO;
        } catch (java.nio.file.NoSuchFileException gone) {
            return Answer.NO; // exited meanwhile
        } catch (java.nio.file.AccessDeniedException e) {
            return Answer.UNREADABLE;
        } catch (IOException | RuntimeException e) {
            return Files.exists(proc) ? Answer.UNREADABLE : Answer.NO;
        }
    }

    /** Whether the descriptor's file (the link's target, stat'ed through the magic link) is the inode. */
    private static boolean sameFile(Path fd, long device, long inode) {
        try {
            Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
            return ((Number) a.get("ino")).longValue() == inode && ((Number) a.get("dev")).longValue() == device;
        } catch (IOException | RuntimeException e) {
            return false; // closed meanwhile, or not stat-able
        }
    }

    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return -1;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name);
    }
}
