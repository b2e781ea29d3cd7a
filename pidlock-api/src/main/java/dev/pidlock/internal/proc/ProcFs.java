package dev.pidlock.internal.proc;

import static java.nio.file.StandardOpenOption.READ;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
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
     * Linux's {@code USER_HZ}, the unit of the clock ticks of {@code /proc/PID/stat}: 100 on every architecture
     * the JDK runs on ({@code sysconf(_SC_CLK_TCK)}).
     */
    static final long TICKS_PER_SECOND = 100;

    /** What {@link ProcessHandle.Info} reads of {@code /proc/PID/cmdline}: one page. */
    static final int CMDLINE_LIMIT = 4096;

    /** Read once per JVM, as the JDK reads them for {@link ProcessHandle.Info}. */
    private static final class Machine {
        static final OptionalLong BOOT_MILLIS = bootMillis(lines(PROC.resolve("stat")).orElse(List.of()));
        static final OptionalLong PAGE_SIZE = pageSize();
        static final OptionalLong TOTAL_MEMORY = kibibytesField(PROC.resolve("meminfo"), "MemTotal:");
        static final Charset PLATFORM = platformCharset();
    }

    /** @return the machine's memory in bytes ({@code MemTotal}) as read once per JVM, when readable */
    public static OptionalLong totalMemoryBytesOnce() {
        return Machine.TOTAL_MEMORY;
    }

    /**
     * When a process started, as {@link ProcessHandle.Info#startInstant()} says it: the boot time of
     * {@code /proc/stat}'s {@code btime}, read once per JVM, plus its start ticks, to the millisecond.
     *
     * @param stat its {@code /proc/PID/stat}
     * @return when it started; empty when the boot time or its start ticks are unknown
     */
    public static Optional<Instant> startInstant(ProcStat stat) {
        if (Machine.BOOT_MILLIS.isEmpty() || stat.startTicks() < 0) {
            return Optional.empty();
        }
        long millis = Machine.BOOT_MILLIS.getAsLong() + stat.startTicks() * 1000 / TICKS_PER_SECOND;
        return millis > 0 ? Optional.of(Instant.ofEpochMilli(millis)) : Optional.empty();
    }

    /**
     * @param stat its {@code /proc/PID/stat}
     * @return its user plus system CPU time, as {@link ProcessHandle.Info#totalCpuDuration()} says it
     */
    public static Optional<Duration> cpuTime(ProcStat stat) {
        if (stat.userTicks() < 0 || stat.systemTicks() < 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos((stat.userTicks() + stat.systemTicks()) * (1_000_000_000 / TICKS_PER_SECOND)));
    }

    /**
     * @param pid a process
     * @return its resident set size in bytes from {@code /proc/PID/statm}: the {@code VmRSS} of
     *         {@link #residentBytes(long)} (both sum the kernel's counters exactly, where {@code stat}'s field 24
     *         may lag), without reading the whole {@code status}; empty when it has no memory of its own (where
     *         {@code status} has no {@code VmRSS}), cannot be read, or the page size is unknown
     */
    public static OptionalLong residentBytesOfStatm(long pid) {
        if (Machine.PAGE_SIZE.isEmpty()) {
            return OptionalLong.empty();
        }
        return firstLine(dir(pid).resolve("statm")).map(l -> statmResident(l, Machine.PAGE_SIZE.getAsLong()))
                .orElse(OptionalLong.empty());
    }

    /**
     * @param statm    the line of {@code /proc/PID/statm}: size, resident, … in pages
     * @param pageSize the page size
     * @return the resident bytes; empty when the size is 0 (no memory of its own) or the line is not numbers
     */
    static OptionalLong statmResident(String statm, long pageSize) {
        String[] f = statm.trim().split(" ");
        try {
            long size = Long.parseLong(f[0]);
            long resident = Long.parseLong(f[1]);
            return size <= 0 || resident < 0 || resident > Long.MAX_VALUE / pageSize ? OptionalLong.empty()
                    : OptionalLong.of(resident * pageSize);
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** @return whether {@link #startInstant}, {@link #residentBytesOfStatm} and the rest can answer here */
    public static boolean statFiguresKnown() {
        return Machine.BOOT_MILLIS.isPresent() && Machine.PAGE_SIZE.isPresent();
    }

    /**
     * A process's command line as {@link ProcessHandle.Info#commandLine()}, or else
     * {@link ProcessHandle.Info#command()}, says it, from one read of {@code /proc/PID/cmdline} and the link
     * {@code /proc/PID/exe}; no user lookup.
     *
     * @param pid a process
     * @return its command line; empty when {@code cmdline} cannot be read
     */
    public static Optional<String> commandLine(long pid) {
        Path dir = dir(pid);
        byte[] cmdline;
        try (InputStream in = Files.newInputStream(dir.resolve("cmdline"))) {
            cmdline = in.readNBytes(CMDLINE_LIMIT);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        Optional<String> exe;
        try {
            exe = Optional.of(Files.readSymbolicLink(dir.resolve("exe")).toString()).filter(s -> !s.isEmpty());
        } catch (IOException | RuntimeException e) {
            exe = Optional.empty();
        }
        return commandLine(cmdline, exe, Machine.PLATFORM);
    }

    /**
     * The JDK's reading ({@code ProcessHandleImpl_linux.c}): the arguments are the strings up to the first empty
     * one; with the executable's path known and the page not full, that path, a space and the arguments after
     * the first joined by spaces (so a trailing space when there are none); else, the whole page with its NULs
     * turned into spaces; else the executable's path alone.
     *
     * @param cmdline the first {@link #CMDLINE_LIMIT} bytes of {@code /proc/PID/cmdline}
     * @param exe     where {@code /proc/PID/exe} points, when readable
     * @param charset the platform's charset for file names ({@code sun.jnu.encoding})
     * @return the command line
     */
    static Optional<String> commandLine(byte[] cmdline, Optional<String> exe, Charset charset) {
        int len = cmdline.length;
        boolean truncated = len == CMDLINE_LIMIT && cmdline[len - 1] != 0;
        if (exe.isPresent() && !truncated && len > 0 && cmdline[0] != 0) {
            StringJoiner arguments = new StringJoiner(" ");
            int start = 0;
            while (start < len && cmdline[start] != 0) {
                int end = start;
                while (end < len && cmdline[end] != 0) {
                    end++;
                }
                if (start > 0) {
                    arguments.add(decode(cmdline, start, end, charset));
                }
                start = end + 1;
            }
            return Optional.of(exe.get() + " " + arguments);
        }
        if (len > 0 && (exe.isEmpty() || truncated)) {
            byte[] spaced = cmdline.clone();
            for (int i = 0; i < len; i++) {
                if (spaced[i] == 0) {
                    spaced[i] = ' ';
                }
            }
            return Optional.of(decode(spaced, 0, len, charset));
        }
        return exe;
    }

    /** As the JDK's {@code JNU_NewStringPlatform}: US-ASCII turns every other byte into {@code ?}. */
    private static String decode(byte[] bytes, int from, int to, Charset charset) {
        if (charset.equals(StandardCharsets.US_ASCII)) {
            char[] chars = new char[to - from];
            for (int i = from; i < to; i++) {
                chars[i - from] = bytes[i] >= 0 ? (char) bytes[i] : '?';
            }
            return new String(chars);
        }
        return new String(bytes, from, to - from, charset);
    }

    private static Charset platformCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * @param procStat the lines of {@code /proc/stat}
     * @return its {@code btime} in milliseconds, when present
     */
    static OptionalLong bootMillis(List<String> procStat) {
        for (String line : procStat) {
            if (line.startsWith("btime ")) {
                try {
                    return OptionalLong.of(Long.parseLong(line.substring("btime ".length()).trim()) * 1000);
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** {@code AT_PAGESZ} of this process's auxiliary vector ({@code /proc/self/auxv}). */
    private static OptionalLong pageSize() {
        byte[] auxv;
        try {
            auxv = Files.readAllBytes(PROC.resolve("self/auxv"));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        boolean wide = !"32".equals(System.getProperty("sun.arch.data.model"));
        ByteBuffer b = ByteBuffer.wrap(auxv).order(ByteOrder.nativeOrder());
        int word = wide ? 8 : 4;
        while (b.remaining() >= 2 * word) {
            long type = wide ? b.getLong() : b.getInt();
            long value = wide ? b.getLong() : Integer.toUnsignedLong(b.getInt());
            if (type == 6) { // AT_PAGESZ
                return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
            }
            if (type == 0) { // AT_NULL
                break;
            }
        }
        return OptionalLong.empty();
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
                // one read per thread, and a JVM has a score of threads: bytes, not lines through a decoder, and
                // opened from the task directory when it can (openat), not by the whole path
                Path children = task.getFileName().resolve("children");
                byte[] list = tasks instanceof SecureDirectoryStream
                        ? bytes(((SecureDirectoryStream<Path>) tasks).newByteChannel(children, Set.of(READ)))
                        : bytes(Files.newByteChannel(task.resolve("children"), READ));
                long child = -1;
                for (byte b : list) {
                    if (b >= '0' && b <= '9') {
                        child = (child < 0 ? 0 : child) * 10 + (b - '0');
                    } else if (b == ' ' || b == '\n') {
                        if (child >= 0) {
                            out.add(child);
                        }
                        child = -1;
                    } else {
                        throw new NumberFormatException("not a children list: " + task);
                    }
                }
                if (child >= 0) {
                    out.add(child);
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

    /**
     * The last pid the kernel gave out in this process's pid namespace, to a process or to a thread
     * ({@code /proc/sys/kernel/ns_last_pid}): while it is still the pid of a process this one started, no
     * process or thread has been created in the namespace since.
     *
     * @return the pid; empty when it cannot be read
     */
    public static OptionalLong lastPid() {
        return firstLine(PROC.resolve("sys/kernel/ns_last_pid")).map(l -> {
            try {
                return OptionalLong.of(Long.parseLong(l.trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
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
        try {
            String text = new String(bytes(Files.newByteChannel(file, READ)), StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            return Optional.of(end < 0 ? text : text.substring(0, end)).filter(l -> !l.isEmpty());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads to the end, whatever size {@code /proc} claims, and closes the channel. */
    private static byte[] bytes(SeekableByteChannel channel) throws IOException {
        try (channel) {
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            while (channel.read(buffer) >= 0) {
                if (!buffer.hasRemaining()) {
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2).put(buffer.flip());
                }
            }
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }
}
