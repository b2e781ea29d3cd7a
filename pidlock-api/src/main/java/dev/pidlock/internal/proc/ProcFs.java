package dev.pidlock.internal.proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * pidlock's one reader of Linux's {@code /proc}: a process's {@code stat}, {@code status}, {@code fdinfo},
 * children and owner, the kernel's {@code /proc/locks}, and the machine's memory. Elsewhere every answer is
 * empty: unknown, never a made-up number. The parsing lives in {@link ProcStat} and {@link ProcLock}.
 */
public final class ProcFs {
    static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /** @return whether this system has a Linux-style {@code /proc} */
    public static boolean present() {
        return Files.isReadable(PROC.resolve("self/status"));
    }

    /**
     * @param pid a process
     * @return its {@code /proc/PID/stat}; empty when it cannot be read (no such process, or no {@code /proc})
     */
    public static Optional<ProcStat> stat(long pid) {
        return firstLine(dir(pid).resolve("stat")).flatMap(ProcStat::parse);
    }

    /**
     * Whether {@code /proc} hides other users' processes from this one: mounted with {@code hidepid} other than
     * 0 ({@code off}), and this process is not root. A pid such a {@code /proc} does not show may still run.
     *
     * @return whether a process of another user may be invisible here
     */
    public static boolean hidesOthers() {
        if (ownerOfSelf().orElse(-1) == 0) {
            return false;
        }
        return lines(PROC.resolve("self/mountinfo")).map(ProcFs::hidepidIn).orElse(false);
    }

    /** @return whether the mountinfo lines mount {@code /proc} with a hidepid that hides */
    static boolean hidepidIn(List<String> mountinfo) {
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = Arrays.asList(f).indexOf("-");
            if (f.length < 5 || !f[4].equals("/proc") || dash < 0 || dash + 3 >= f.length
                    || !f[dash + 1].equals("proc")) {
                continue;
            }
            for (String option : f[dash + 3].split(",")) {
                if (option.startsWith("hidepid=")) {
                    String v = option.substring("hidepid=".length());
                    return !v.equals("0") && !v.equals("off");
                }
            }
            return false;
        }
        return false;
    }

    /**
     * The one "alive and not exited" check: {@link ProcessHandle#isAlive()}, and not a zombie nor exiting
     * ({@link #hasExited}).
     *
     * @param pid a process
     * @return whether it lives and runs code
     */
    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !hasExited(pid);
    }

    /**
     * Whether a process has exited or is exiting ({@link ProcStat#exited()}): a zombie, dead, or flagged
     * {@code PF_EXITING} in {@code /proc/PID/stat}.
     *
     * @param pid a process
     * @return whether it is exiting or gone (also when it was reaped since the caller saw it); false when
     *         {@code /proc} cannot tell
     */
    public static boolean hasExited(long pid) {
        return statSays(pid, ProcStat::exited);
    }

    /**
     * Whether a process has finished exiting ({@link ProcStat#terminated()}): a zombie, dead, or reaped. Unlike
     * {@link #hasExited}, a process still exiting does not count: it may hold its files, and its locks, a while
     * longer.
     *
     * @param pid a process
     * @return whether it is a zombie or gone; false when {@code /proc} cannot tell
     */
    public static boolean terminated(long pid) {
        return statSays(pid, ProcStat::terminated);
    }

    /**
     * Whether a process runs or is still exiting: it may hold its files. {@link ProcessHandle#isAlive()}, and
     * not {@linkplain #terminated terminated}.
     *
     * @param pid a process
     * @return whether it may still hold the locks of its descriptors
     */
    public static boolean mayHoldFiles(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !terminated(pid);
    }

    private static boolean statSays(long pid, Predicate<ProcStat> test) {
        Path dir = dir(pid);
        Optional<String> line = firstLine(dir.resolve("stat"));
        if (line.isEmpty()) {
            // ENOENT, or ESRCH while the process is being reaped: gone if /proc is there and its entry is not
            return present() && !Files.exists(dir);
        }
        return ProcStat.parse(line.get()).map(test::test).orElse(false);
    }

    /**
     * @param pid a process
     * @return its resident set size in bytes ({@code VmRSS} of {@code /proc/PID/status}), when readable
     */
    public static OptionalLong residentBytes(long pid) {
        return kibibytesField(dir(pid).resolve("status"), "VmRSS:");
    }

    /** @return the machine's memory in bytes ({@code MemTotal}), when readable */
    public static OptionalLong totalMemoryBytes() {
        return kibibytesField(PROC.resolve("meminfo"), "MemTotal:");
    }

    /**
     * @param pid a process
     * @return the uid that owns its {@code /proc/PID} directory (its effective uid); empty when unreadable
     */
    public static OptionalLong owner(long pid) {
        return ownerOf(dir(pid));
    }

    /** @return the uid that owns {@code /proc/self}: this process's effective uid; empty when unreadable */
    public static OptionalLong ownerOfSelf() {
        return ownerOf(PROC.resolve("self"));
    }

    private static OptionalLong ownerOf(Path dir) {
        try {
            return OptionalLong.of(((Number) Files.getAttribute(dir, "unix:uid")).longValue());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @param pid a process
     * @return the pids of its children, from {@code /proc/PID/task/*}{@code /children}; empty when that cannot be
     *         read (no such process, or a kernel without {@code CONFIG_PROC_CHILDREN})
     */
    public static Optional<List<Long>> children(long pid) {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(dir(pid).resolve("task"))) {
            for (Path task : tasks) {
                for (String line : Files.readAllLines(task.resolve("children"))) {
                    for (String child : line.trim().split("\\s+")) {
                        if (!child.isEmpty()) {
                            out.add(Long.parseLong(child));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /**
     * @param pid a process
     * @return the pids of its children, their children and so on, parents first; empty when the children of
     *         one of them cannot be read (see {@link #children}), save one that has exited since its parent
     *         listed it
     */
    public static Optional<List<Long>> descendants(long pid) {
        Set<Long> seen = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty()) {
            long next = todo.poll();
            Optional<List<Long>> children = children(next);
            if (children.isEmpty()) {
                if (next == pid || Files.exists(dir(next))) {
                    return Optional.empty();
                }
                continue;
            }
            for (long child : children.get()) {
                if (child != pid && seen.add(child)) {
                    todo.add(child);
                }
            }
        }
        return Optional.of(List.copyOf(seen));
    }

    /** @return every lock the kernel lists in {@code /proc/locks}; empty when it cannot be read */
    public static Optional<List<ProcLock>> locks() {
        return lines(PROC.resolve("locks")).map(ProcLock::parseLocks);
    }

    /**
     * @param pid a process
     * @param fd  one of its descriptors
     * @return the locks on the descriptor's file from {@code /proc/PID/fdinfo/FD}; empty when it cannot be read
     */
    public static Optional<List<ProcLock>> fdLocks(long pid, int fd) {
        return lines(dir(pid).resolve("fdinfo").resolve(Integer.toString(fd))).map(ProcLock::parseFdinfo);
    }

    static OptionalLong kibibytesField(Path file, String field) {
        return lines(file).map(l -> parseKibibytes(l, field)).orElse(OptionalLong.empty());
    }

    /**
     * @param lines the lines of a {@code /proc} status-style file
     * @param field the field's name with its colon
     * @return the field's value in bytes, when present and in kB
     */
    static OptionalLong parseKibibytes(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    try {
                        long kib = Long.parseLong(parts[0]);
                        return kib < 0 || kib > Long.MAX_VALUE / 1024 ? OptionalLong.empty()
                                : OptionalLong.of(kib * 1024);
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    private static Path dir(long pid) {
        return PROC.resolve(Long.toString(pid));
    }

    /** Lines, not {@code Files.readString}: {@code /proc} reports sizes of 0 or of a page, not the content's. */
    private static Optional<List<String>> lines(Path file) {
        try {
            return Optional.of(Files.readAllLines(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> firstLine(Path file) {
        return lines(file).filter(l -> !l.isEmpty()).map(l -> l.get(0));
    }
}
