package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.FileIdentity;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The constants and struct layouts of one operating system and architecture, declared from its headers: the
 * one platform table of pidlock's libc binding, for the lock backends and for spawning processes. A platform
 * that is not declared here has no binding: the backends say so through {@code isAvailable()} and spawning
 * refuses, instead of guessing. {@code PlatformLayoutTest} and {@code SpawnPlatformTest} compare every value
 * with the C compiler's.
 *
 * @param name      for messages, for example {@code linux-x86-64}
 * @param openFlags the {@code open(2)} flags
 * @param fcntl     the {@code fcntl(2)} commands and lock types
 * @param flock     the layout of {@code struct flock}
 * @param stat      the layout of {@code struct stat}
 * @param errno     the errno numbers and their names
 * @param procLocks whether {@code /proc/locks} lists the kernel's locks (Linux)
 * @param spawning  what spawning a process needs; empty where spawning is not declared
 */
public record Platform(String name, OpenFlags openFlags, FcntlCommands fcntl, FlockLayout flock, StatLayout stat,
                       Errno errno, boolean procLocks, Optional<Spawning> spawning) {

    /** {@code open(2)} flags. */
    public record OpenFlags(int rdonly, int wronly, int rdwr, int creat, int excl, int append, int nofollow,
                            int cloexec, int nonblock) {
    }

    /**
     * {@code fcntl(2)} commands and lock types; the OFD commands are -1 where the system has none.
     */
    public record FcntlCommands(int getfd, int setfd, int fdCloexec, int dupfdCloexec, int getlk, int setlk,
                                int ofdGetlk, int ofdSetlk, short wrlck, short unlck) {
        /** @return whether open file description locks exist here */
        public boolean hasOfd() {
            return ofdSetlk >= 0;
        }
    }

    /**
     * Offsets in {@code struct flock}: {@code l_type} and {@code l_whence} are shorts, {@code l_start} and
     * {@code l_len} are 64-bit, {@code l_pid} is a 32-bit int.
     */
    public record FlockLayout(int size, int type, int whence, int start, int len, int pid) {
    }

    /**
     * Offsets in {@code struct stat}; the width of each field that differs between ABIs is given with it.
     * {@code st_dev} and {@code st_mode} are decoded here only.
     */
    public record StatLayout(int size, int dev, boolean dev64, int ino, int mode, boolean mode32, int uid,
                             int mtimeSec, int mtimeNsec) {
        /**
         * @param st a filled {@code struct stat} in native byte order
         * @return its {@code st_mode}: the file type and permission bits
         */
        public int mode(ByteBuffer st) {
            return mode32 ? st.getInt(mode) : st.getShort(mode) & 0xffff;
        }

        /**
         * @param st a filled {@code struct stat} in native byte order
         * @return its {@code st_dev} and {@code st_ino}
         */
        public FileIdentity identity(ByteBuffer st) {
            long device = dev64 ? st.getLong(dev) : st.getInt(dev) & 0xffffffffL;
            return new FileIdentity(device, st.getLong(ino));
        }
    }

    /**
     * The errno numbers of one platform and their names: one table, for the lock backends' messages and for
     * spawning's. The numbers pidlock tells apart have accessors.
     */
    public static final class Errno {
        private final Map<Integer, String> names;
        private final int enoent;
        private final int esrch;
        private final int eintr;
        private final int eagain;
        private final int eacces;
        private final int eexist;
        private final int eisdir;
        private final int eloop;

        /** @param table names and numbers, each number once */
        Errno(Map<String, Integer> table) {
            Map<Integer, String> byNumber = new HashMap<>();
            table.forEach((name, number) -> {
                if (byNumber.put(number, name) != null) {
                    throw new IllegalArgumentException("errno " + number + " twice");
                }
            });
            this.names = Map.copyOf(byNumber);
            this.enoent = table.get("ENOENT");
            this.esrch = table.get("ESRCH");
            this.eintr = table.get("EINTR");
            this.eagain = table.get("EAGAIN");
            this.eacces = table.get("EACCES");
            this.eexist = table.get("EEXIST");
            this.eisdir = table.get("EISDIR");
            this.eloop = table.get("ELOOP");
        }

        /**
         * @param n an errno number
         * @return its symbolic name here, or {@code errno N}
         */
        public String name(int n) {
            String name = names.get(n);
            return name != null ? name : "errno " + n;
        }

        /** @return every declared number and its name */
        public Map<Integer, String> names() {
            return names;
        }

        /** @return {@code ENOENT} */
        public int enoent() {
            return enoent;
        }

        /** @return {@code ESRCH} */
        public int esrch() {
            return esrch;
        }

        /** @return {@code EINTR} */
        public int eintr() {
            return eintr;
        }

        /** @return {@code EAGAIN} ({@code EWOULDBLOCK}) */
        public int eagain() {
            return eagain;
        }

        /** @return {@code EACCES} */
        public int eacces() {
            return eacces;
        }

        /** @return {@code EEXIST} */
        public int eexist() {
            return eexist;
        }

        /** @return {@code EISDIR} */
        public int eisdir() {
            return eisdir;
        }

        /** @return {@code ELOOP} */
        public int eloop() {
            return eloop;
        }
    }

    /**
     * The constants and sizes that spawning a process needs.
     *
     * <p>Linux x86-64 and aarch64 agree on every value here but one: signals 1..31 come from the generic
     * kernel headers on both; {@code close_range} (436), {@code pidfd_send_signal} (424) and
     * {@code pidfd_open} (434) have the same number everywhere (the unified numbering of the syscalls added
     * since Linux 5.1); {@code POLLIN} and {@code struct pollfd} (int fd, short events, short revents: 8 bytes)
     * are the generic ones; the glibc types have the same 64-bit sizes. Only {@code rt_sigaction}'s syscall number
     * differs: 13 on x86-64, 134 on aarch64 (asm-generic/unistd.h, which aarch64 uses).
     *
     * <p>Checked with gcc on Debian 12, glibc 2.36, x86-64: {@code sizeof(posix_spawnattr_t)} 336,
     * {@code sizeof(posix_spawn_file_actions_t)} 80, {@code sizeof(sigset_t)} 128 (glibc's 1024 bits; the
     * kernel's is 64 bits); the buffers allocated are larger.
     *
     * @param setsigdef         {@code POSIX_SPAWN_SETSIGDEF}
     * @param setsigmask        {@code POSIX_SPAWN_SETSIGMASK}
     * @param setsid            {@code POSIX_SPAWN_SETSID} (glibc 2.26 and later)
     * @param sigSetmask        {@code SIG_SETMASK}
     * @param sysCloseRange     the {@code close_range} syscall number
     * @param sysRtSigaction    the {@code rt_sigaction} syscall number
     * @param closeRangeCloexec {@code CLOSE_RANGE_CLOEXEC}
     * @param attrBytes         bytes allocated for a {@code posix_spawnattr_t} (at least its size)
     * @param actionsBytes      bytes allocated for a {@code posix_spawn_file_actions_t} (at least its size)
     * @param sigsetBytes       bytes allocated for a {@code sigset_t} (at least its size)
     * @param sigactionBytes    bytes allocated for the kernel's {@code struct sigaction} (32 bytes on both:
     *                          handler, flags, restorer, a 64-bit mask), {@code sa_handler} first
     * @param lastSignal        the highest signal number ({@code NSIG - 1})
     * @param reservedSignals   signals whose disposition cannot change (KILL and STOP)
     * @param sysPidfdOpen      the {@code pidfd_open} syscall number (Linux 5.3 and later)
     * @param sysPidfdSendSignal the {@code pidfd_send_signal} syscall number (Linux 5.1 and later)
     * @param pollIn            {@code POLLIN}: a pidfd is readable once its process has exited
     */
    public record Spawning(int setsigdef, int setsigmask, int setsid, int sigSetmask, int sysCloseRange,
                           int sysRtSigaction, int closeRangeCloexec, int attrBytes, int actionsBytes,
                           int sigsetBytes, int sigactionBytes, int lastSignal, Set<Integer> reservedSignals,
                           int sysPidfdOpen, int sysPidfdSendSignal, int pollIn) {

        /** The size of {@code struct pollfd}: {@code int fd} at 0, {@code short events} at 4, {@code short revents} at 6. */
        public static final int POLLFD_BYTES = 8;
        /** The offset of {@code events} in {@code struct pollfd}. */
        public static final int POLLFD_EVENTS = 4;
        /** The offset of {@code revents} in {@code struct pollfd}. */
        public static final int POLLFD_REVENTS = 6;

        /** {@code SIG_DFL} is the null pointer everywhere. */
        public static final long SIG_DFL = 0;

        /** {@code SIG_IGN} is {@code (void (*)(int)) 1} on Linux and the BSDs. */
        public static final long SIG_IGN = 1;

        /** The size of the kernel's signal set, the last argument of {@code rt_sigaction}: 64 signals. */
        public static final long KERNEL_SIGSET_BYTES = 8;

        /** @param reservedSignals copied */
        public Spawning {
            reservedSignals = Set.copyOf(reservedSignals);
        }

        /**
         * @return {@code POSIX_SPAWN_SETPGROUP}, 0x02 in glibc on every platform declared here (with the
         *         attribute's process group left at 0, the child gets a group of its own)
         */
        public int setpgroup() {
            return 0x02;
        }

        /**
         * @param signal a signal number
         * @return whether its disposition may be read and changed
         */
        public boolean isChangeableSignal(int signal) {
            return signal >= 1 && signal <= lastSignal && !reservedSignals.contains(signal);
        }
    }

    /** {@code flock(2)} operations, the same everywhere: exclusive. */
    public static final int LOCK_EX = 2;
    /** Do not block. */
    public static final int LOCK_NB = 4;
    /** Unlock. */
    public static final int LOCK_UN = 8;

    /** {@code lockf(3)} commands, the same everywhere. */
    public static final int F_ULOCK = 0;
    /** Lock or fail with EACCES/EAGAIN. */
    public static final int F_TLOCK = 2;

    /** {@code SEEK_SET}, the same everywhere. */
    public static final short SEEK_SET = 0;

    /** The generic Linux errno numbers (x86-64 and aarch64 both use asm-generic/errno*.h). */
    private static final Errno LINUX_ERRNO = new Errno(Map.ofEntries(
            Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("ESRCH", 3), Map.entry("EINTR", 4),
            Map.entry("EIO", 5), Map.entry("ENXIO", 6), Map.entry("E2BIG", 7), Map.entry("ENOEXEC", 8),
            Map.entry("EBADF", 9), Map.entry("ECHILD", 10), Map.entry("EAGAIN", 11), Map.entry("ENOMEM", 12),
            Map.entry("EACCES", 13), Map.entry("EFAULT", 14), Map.entry("EBUSY", 16), Map.entry("EEXIST", 17),
            Map.entry("ENODEV", 19), Map.entry("ENOTDIR", 20), Map.entry("EISDIR", 21), Map.entry("EINVAL", 22),
            Map.entry("ENFILE", 23), Map.entry("EMFILE", 24), Map.entry("ETXTBSY", 26), Map.entry("EFBIG", 27),
            Map.entry("ENOSPC", 28), Map.entry("EROFS", 30), Map.entry("EDEADLK", 35),
            Map.entry("ENAMETOOLONG", 36), Map.entry("ENOLCK", 37), Map.entry("ENOSYS", 38), Map.entry("ELOOP", 40),
            Map.entry("EOPNOTSUPP", 95), Map.entry("EDQUOT", 122)));

    private static final OpenFlags LINUX_X86_64_OPEN = new OpenFlags(0, 01, 02, 0100, 0200, 02000, 0400000, 02000000,
            04000);
    /** aarch64 Linux moves O_NOFOLLOW (and O_DIRECTORY) relative to x86-64. */
    private static final OpenFlags LINUX_AARCH64_OPEN = new OpenFlags(0, 01, 02, 0100, 0200, 02000, 0100000,
            02000000, 04000);

    private static final FcntlCommands LINUX_FCNTL = new FcntlCommands(1, 2, 1, 1030, 5, 6, 36, 37, (short) 1,
            (short) 2);

    /** x86-64 and aarch64 Linux share the 64-bit {@code struct flock}: 32 bytes. */
    private static final FlockLayout LINUX_FLOCK = new FlockLayout(32, 0, 2, 8, 16, 24);

    /** x86-64: dev@0 ino@8 nlink@16 (64-bit) mode@24 uid@28 gid@32 … mtim@88; 144 bytes. */
    private static final StatLayout LINUX_X86_64_STAT = new StatLayout(144, 0, true, 8, 24, true, 28, 88, 96);

    /** aarch64 (the generic layout): dev@0 ino@8 mode@16 nlink@20 (32-bit) uid@24 … mtim@88; 128 bytes. */
    private static final StatLayout LINUX_AARCH64_STAT = new StatLayout(128, 0, true, 8, 16, true, 24, 88, 96);

    /**
     * @param sysRtSigaction the one value that differs between x86-64 and aarch64
     * @return Linux's spawning constants; signals 9 (KILL) and 19 (STOP) cannot be caught or ignored
     */
    private static Spawning linuxSpawning(int sysRtSigaction) {
        return new Spawning(0x04, 0x08, 0x80, 2, 436, sysRtSigaction, 4, 512, 512, 256, 64, 64, Set.of(9, 19), 434,
                424, 0x001);
    }

    /**
     * @return the platform this JVM runs on, when declared
     */
    public static Optional<Platform> current() {
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /**
     * @param osName the {@code os.name} property
     * @param osArch the {@code os.arch} property
     * @return that platform, when declared
     */
    public static Optional<Platform> of(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return Optional.of(new Platform("linux-x86-64", LINUX_X86_64_OPEN, LINUX_FCNTL, LINUX_FLOCK,
                        LINUX_X86_64_STAT, LINUX_ERRNO, true, Optional.of(linuxSpawning(13))));
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return Optional.of(new Platform("linux-aarch64", LINUX_AARCH64_OPEN, LINUX_FCNTL, LINUX_FLOCK,
                        LINUX_AARCH64_STAT, LINUX_ERRNO, true, Optional.of(linuxSpawning(134))));
            }
            return Optional.empty();
        }
        if ((os.startsWith("mac") || os.startsWith("darwin")) && (arch.equals("aarch64") || arch.equals("arm64"))) {
            return Optional.of(macosArm64());
        }
        return Optional.empty();
    }

    /**
     * macOS on Apple silicon: no OFD locks; {@code struct flock} is l_start@0 l_len@8 l_pid@16 l_type@20
     * l_whence@22 (24 bytes); {@code struct stat} (64-bit inodes) is dev@0 (32-bit) mode@4 (16-bit)
     * nlink@6 (16-bit) ino@8 uid@16 … mtimespec@48; 144 bytes. Declared from the SDK headers; not exercised
     * by this project's CI, which runs on Linux. Spawning is not declared.
     */
    private static Platform macosArm64() {
        return new Platform("macos-aarch64",
                new OpenFlags(0, 01, 02, 0x200, 0x800, 0x8, 0x100, 0x1000000, 0x4),
                new FcntlCommands(1, 2, 1, 67, 7, 8, -1, -1, (short) 3, (short) 2),
                new FlockLayout(24, 20, 22, 0, 8, 16),
                new StatLayout(144, 0, false, 8, 4, false, 16, 48, 56),
                new Errno(Map.ofEntries(Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("ESRCH", 3),
                        Map.entry("EINTR", 4), Map.entry("EIO", 5), Map.entry("ENXIO", 6), Map.entry("EBADF", 9),
                        Map.entry("EAGAIN", 35), Map.entry("EACCES", 13), Map.entry("EEXIST", 17),
                        Map.entry("ENOTDIR", 20), Map.entry("EISDIR", 21), Map.entry("EINVAL", 22),
                        Map.entry("ENOSPC", 28), Map.entry("EROFS", 30), Map.entry("ELOOP", 62),
                        Map.entry("EDEADLK", 11), Map.entry("ENOLCK", 77), Map.entry("EOPNOTSUPP", 102))),
                false, Optional.empty());
    }
}
