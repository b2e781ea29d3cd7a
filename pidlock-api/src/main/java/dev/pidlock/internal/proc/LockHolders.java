package dev.pidlock.internal.proc;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who holds a lock on one file, as the kernel shows it: the granted locks on its inode in {@code /proc/locks},
 * and for the locks that belong to an open file description ({@code flock}, OFD) every process that has a
 * descriptor of that description, found through the lock lines of {@code /proc/PID/fdinfo/FD}. A POSIX lock
 * belongs to one process, which {@code /proc/locks} names. The pids are those of this process's pid namespace.
 * Nothing here stats or opens a descriptor's file (a stuck network or FUSE file system would block it): the
 * kernel's own text names the inode.
 *
 * <p>What the kernel does not show: a lock whose holder is outside this pid namespace (it is left out of
 * {@code /proc/locks}), and the descriptors of processes this one may not examine ({@link #complete()} is then
 * false). An empty answer is therefore not proof that the file is free: only taking the lock is.
 *
 * @param byFamily the holders' pids of each lock family held on the inode, ascending
 * @param complete whether every holder was found: false when a process could not be examined (another
 *                 user's, without privilege) or the kernel named no pid for a POSIX lock
 */
public record LockHolders(Map<Family, List<Long>> byFamily, boolean complete) {

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

    /** A record with every pid list sorted and every collection copied. */
    public LockHolders {
        Map<Family, List<Long>> copy = new EnumMap<>(Family.class);
        byFamily.forEach((f, p) -> copy.put(f, List.copyOf(new TreeSet<>(p))));
        byFamily = Collections.unmodifiableMap(copy);
    }

    /** @return the holders' pids, of every family, ascending */
    public List<Long> pids() {
        Set<Long> all = new TreeSet<>();
        byFamily.values().forEach(all::addAll);
        return List.copyOf(all);
    }

    /**
     * @param family a lock family
     * @return the pids holding a lock of that family on the inode, ascending
     */
    public List<Long> pids(Family family) {
        return byFamily.getOrDefault(family, List.of());
    }

    /** @return the lock families held on the inode */
    public Set<Family> families() {
        return byFamily.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(byFamily.keySet()));
    }

    /** @return whether the kernel shows a granted lock on the inode */
    public boolean locked() {
        return !byFamily.isEmpty();
    }

    /**
     * The holders of the locks on one inode, every descriptor of every process examined.
     *
     * @param device the file's device ({@code st_dev})
     * @param inode  the file's inode number
     * @return the holders; empty when {@code /proc/locks} cannot be read
     */
    public static Optional<LockHolders> of(long device, long inode) {
        return of(device, inode, null);
    }

    /**
     * The holders of the locks on one inode. With the file's path, only descriptors whose link names a file of
     * that name (or that name, deleted) are examined: reading a link is one cheap call that never reaches the
     * file's file system, and a descriptor of the inode under another name (a hard link, a rename) is the rare
     * case this gives up.
     *
     * @param device the file's device ({@code st_dev})
     * @param inode  the file's inode number
     * @param path   the file's path, or null to examine every descriptor
     * @return the holders; empty when {@code /proc/locks} cannot be read
     */
    public static Optional<LockHolders> of(long device, long inode, Path path) {
        return of(device, inode, path, Long.MIN_VALUE);
    }

    /**
     * The holders of the locks on one inode among the processes started at or after a moment, as {@link
     * #of(long, long, Path)} finds them: for a lock on a descriptor that this process opened and handed to
     * processes it started. Such a descriptor reaches another process only by {@code fork} (a process started
     * after this one opened it, so after this one started) or by being passed over a socket ({@code
     * SCM_RIGHTS}, {@code pidfd_getfd}), which this leaves out when the receiver is older. Only the {@code
     * flock}/OFD holders are filtered; a process whose start cannot be read is examined all the same.
     *
     * @param device       the file's device ({@code st_dev})
     * @param inode        the file's inode number
     * @param path         the file's path, or null to examine every descriptor
     * @param startedSince the earliest start ({@code /proc/PID/stat} field 22, clock ticks after boot) of a
     *                     process to examine; {@link Long#MIN_VALUE} for every process
     * @return the holders; empty when {@code /proc/locks} cannot be read
     */
    public static Optional<LockHolders> of(long device, long inode, Path path, long startedSince) {
        Optional<List<ProcLock>> all = ProcFs.locks();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Map<Family, Set<Long>> holders = new EnumMap<>(Family.class);
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
            Set<Long> pids = holders.computeIfAbsent(family.get(), f -> new TreeSet<>());
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
            String name = path == null || path.getFileName() == null ? null : path.getFileName().toString();
            complete &= holdersOfDescriptions(device, inode, name, startedSince, holders);
        }
        Map<Family, List<Long>> out = new EnumMap<>(Family.class);
        holders.forEach((f, p) -> out.put(f, new ArrayList<>(p)));
        return Optional.of(new LockHolders(out, complete));
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
        return holds(pid, device, inode, null);
    }

    /**
     * Whether one process holds a lock on the inode, looking first where it is cheapest: the lock lines of
     * that process's descriptors whose link names the file (a few {@code readlink} calls and one
     * {@code fdinfo} read, whatever the size of the kernel's lock table), then {@code /proc/locks} for a POSIX
     * lock under its pid, and every one of its descriptors only when the table shows a {@code flock}/OFD lock
     * on the inode that no descriptor of that name held (the file was opened under another name).
     *
     * @param pid    the candidate
     * @param device the file's device
     * @param inode  the file's inode number
     * @param path   the file's path, or null to read every descriptor's {@code fdinfo}
     * @return whether the kernel shows it holding a lock on the inode
     */
    public static boolean holds(long pid, long device, long inode, Path path) {
        if (pid <= 0) {
            return false;
        }
        Path proc = ProcFs.PROC.resolve(Long.toString(pid));
        String name = path == null || path.getFileName() == null ? null : path.getFileName().toString();
        Map<Family, Set<Long>> found = new EnumMap<>(Family.class);
        if (name != null) {
            examine(proc, pid, device, inode, name, found);
            if (!found.isEmpty()) {
                return true;
            }
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
        if (!descriptionLocks) {
            return false;
        }
        examine(proc, pid, device, inode, null, found);
        return !found.isEmpty();
    }

    /**
     * Adds every process whose descriptors show a {@code flock} or OFD lock on the inode.
     *
     * @return whether every process could be examined
     */
    private static boolean holdersOfDescriptions(long device, long inode, String name, long startedSince,
                                                 Map<Family, Set<Long>> out) {
        boolean complete = true;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(ProcFs.PROC)) {
            for (Path proc : procs) {
                long pid = pidOf(proc.getFileName().toString());
                if (pid > 0 && !startedBefore(pid, startedSince)) {
                    complete &= examine(proc, pid, device, inode, name, out);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return complete;
    }

    /**
     * @return whether {@code /proc/PID/stat} shows the process started before {@code ticks}; false when it
     *         cannot be read, or every process counts ({@link Long#MIN_VALUE})
     */
    private static boolean startedBefore(long pid, long ticks) {
        if (ticks == Long.MIN_VALUE) {
            return false;
        }
        Optional<ProcStat> stat = ProcFs.stat(pid);
        return stat.isPresent() && stat.get().startTicks() < ticks;
    }

    /**
     * Adds {@code pid} under each description-lock family that one of its descriptors holds on the inode.
     *
     * @param name the file name a descriptor's link must end with, or null to read every descriptor's fdinfo
     * @return false when the process's descriptors could not be read (not when it is gone)
     */
    private static boolean examine(Path proc, long pid, long device, long inode, String name,
                                   Map<Family, Set<Long>> out) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (name != null && !linkNames(fd, name)) {
                    continue;
                }
                int n;
                try {
                    n = Integer.parseInt(fd.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                ProcFs.fdLocks(pid, n).ifPresent(locks -> {
                    for (ProcLock l : locks) {
                        if (!l.waiting() && l.isOn(device, inode)) {
                            Family.of(l.kind()).filter(f -> f != Family.POSIX)
                                    .ifPresent(f -> out.computeIfAbsent(f, k -> new TreeSet<>()).add(pid));
                        }
                    }
                });
            }
            return true;
        } catch (NoSuchFileException gone) {
            return true; // exited meanwhile
        } catch (AccessDeniedException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return !Files.exists(proc);
        }
    }

    /** Whether the descriptor's link names a file called {@code name} (deleted or not), read without a stat. */
    private static boolean linkNames(Path fd, String name) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.endsWith(" (deleted)")) {
                target = target.substring(0, target.length() - " (deleted)".length());
            }
            return target.equals(name) || target.endsWith("/" + name);
        } catch (IOException | RuntimeException e) {
            return false; // closed meanwhile
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
