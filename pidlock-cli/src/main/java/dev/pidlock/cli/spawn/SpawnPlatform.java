package dev.pidlock.cli.spawn;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The constants and sizes that spawning needs on one operating system and architecture, declared from its
 * headers (and compared with the C compiler's by {@code SpawnPlatformTest}). A platform that is not declared
 * here cannot spawn: {@link #require()} says so instead of guessing.
 *
 * <p>Linux x86-64 and aarch64 agree on every value used here: the {@code open(2)} flags they differ in
 * ({@code O_DIRECTORY}, {@code O_NOFOLLOW}, {@code O_DIRECT}, {@code O_LARGEFILE}) are not used; signals
 * 1..31 and the errno numbers come from the generic kernel headers on both; {@code close_range} is syscall
 * 436 everywhere (the unified numbering of new syscalls); the glibc types have the same 64-bit sizes. Only
 * {@code rt_sigaction}'s syscall number differs: 13 on x86-64, 134 on aarch64 (asm-generic/unistd.h, which
 * aarch64 uses).
 *
 * <p>Checked with gcc on Debian 12, glibc 2.36, x86-64: {@code sizeof(posix_spawnattr_t)} 336,
 * {@code sizeof(posix_spawn_file_actions_t)} 80, {@code sizeof(sigset_t)} 128 (glibc's 1024 bits; the
 * kernel's is 64 bits); {@code POSIX_SPAWN_SETSIGDEF} 0x04, {@code POSIX_SPAWN_SETSIGMASK} 0x08,
 * {@code POSIX_SPAWN_SETSID} 0x80 (glibc 2.26 and later); the buffers allocated are larger.
 *
 * @param name              for messages, for example {@code linux-x86-64}
 * @param oWronly           {@code O_WRONLY}
 * @param oCreat            {@code O_CREAT}
 * @param oAppend           {@code O_APPEND}
 * @param oCloexec          {@code O_CLOEXEC}
 * @param fGetfd            {@code F_GETFD}
 * @param fSetfd            {@code F_SETFD}
 * @param fdCloexec         {@code FD_CLOEXEC}
 * @param fDupfdCloexec     {@code F_DUPFD_CLOEXEC}
 * @param spawnSetsigdef    {@code POSIX_SPAWN_SETSIGDEF}
 * @param spawnSetsigmask   {@code POSIX_SPAWN_SETSIGMASK}
 * @param spawnSetsid       {@code POSIX_SPAWN_SETSID}
 * @param sigSetmask        {@code SIG_SETMASK}
 * @param sysCloseRange     the {@code close_range} syscall number
 * @param sysRtSigaction    the {@code rt_sigaction} syscall number (x86-64 13, aarch64 134: the one value here
 *                          that differs between the two)
 * @param closeRangeCloexec {@code CLOSE_RANGE_CLOEXEC}
 * @param attrBytes         bytes allocated for a {@code posix_spawnattr_t} (at least its size)
 * @param actionsBytes      bytes allocated for a {@code posix_spawn_file_actions_t} (at least its size)
 * @param sigsetBytes       bytes allocated for a {@code sigset_t} (at least its size)
 * @param sigactionBytes    bytes allocated for the kernel's {@code struct sigaction} (32 bytes on both:
 *                          handler, flags, restorer, a 64-bit mask), {@code sa_handler} first
 * @param lastSignal        the highest signal number ({@code NSIG - 1})
 * @param reservedSignals   signals whose disposition cannot change (KILL and STOP)
 * @param errnoNames        errno numbers and their names
 */
record SpawnPlatform(String name, int oWronly, int oCreat, int oAppend, int oCloexec, int fGetfd, int fSetfd,
                     int fdCloexec, int fDupfdCloexec, int spawnSetsigdef, int spawnSetsigmask, int spawnSetsid,
                     int sigSetmask, int sysCloseRange, int sysRtSigaction, int closeRangeCloexec, int attrBytes,
                     int actionsBytes, int sigsetBytes, int sigactionBytes, int lastSignal, Set<Integer> reservedSignals,
                     Map<Integer, String> errnoNames) {

    /** {@code O_RDONLY}, 0 everywhere. */
    static final int O_RDONLY = 0;

    /** {@code SIG_DFL} is the null pointer everywhere. */
    static final long SIG_DFL = 0;

    /** {@code SIG_IGN} is {@code (void (*)(int)) 1} on Linux and the BSDs. */
    static final long SIG_IGN = 1;

    /** The generic Linux errno numbers (x86-64 and aarch64 both use asm-generic/errno*.h). */
    private static final Map<Integer, String> LINUX_ERRNO = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(9, "EBADF"), Map.entry(10, "ECHILD"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"), Map.entry(22, "EINVAL"),
            Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(26, "ETXTBSY"), Map.entry(27, "EFBIG"),
            Map.entry(28, "ENOSPC"), Map.entry(30, "EROFS"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"), Map.entry(40, "ELOOP"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(122, "EDQUOT"));

    /** Signals 9 (KILL) and 19 (STOP) cannot be caught or ignored. */
    private static final Set<Integer> LINUX_RESERVED_SIGNALS = Set.of(9, 19);

    /** errno ENOENT on Linux. */
    static final int ENOENT = 2;
    /** errno ESRCH on Linux. */
    static final int ESRCH = 3;
    /** errno EINTR on Linux. */
    static final int EINTR = 4;
    /** errno EBADF on Linux. */
    static final int EBADF = 9;
    /** errno EACCES on Linux. */
    static final int EACCES = 13;

    /** The size of the kernel's signal set, the last argument of {@code rt_sigaction}: 64 signals. */
    static final long KERNEL_SIGSET_BYTES = 8;

    private static SpawnPlatform linux(String name, int sysRtSigaction) {
        return new SpawnPlatform(name, 01, 0100, 02000, 02000000, 1, 2, 1, 1030, 0x04, 0x08, 0x80, 2, 436,
                sysRtSigaction, 4, 512, 512, 256, 64, 64, LINUX_RESERVED_SIGNALS, LINUX_ERRNO);
    }

    /** @return the platform this JVM runs on, when declared */
    static Optional<SpawnPlatform> current() {
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /**
     * @param osName the {@code os.name} property
     * @param osArch the {@code os.arch} property
     * @return that platform, when declared
     */
    static Optional<SpawnPlatform> of(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            if (arch.equals("amd64") || arch.equals("x86_64")) {
                return Optional.of(linux("linux-x86-64", 13));
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return Optional.of(linux("linux-aarch64", 134));
            }
        }
        return Optional.empty();
    }

    /**
     * @return the platform this JVM runs on
     * @throws SpawnException when it is not declared
     */
    static SpawnPlatform require() throws SpawnException {
        Optional<SpawnPlatform> p = current();
        if (p.isEmpty()) {
            throw new SpawnException("spawning commands is not supported on " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch"), "ENOTSUP");
        }
        return p.get();
    }

    /**
     * @param errno an errno number
     * @return its symbolic name, or {@code errno N}
     */
    String errnoName(int errno) {
        String n = errnoNames.get(errno);
        return n != null ? n : "errno " + errno;
    }

    /**
     * @param signal a signal number
     * @return whether its disposition may be read and changed
     */
    boolean isChangeableSignal(int signal) {
        return signal >= 1 && signal <= lastSignal && !reservedSignals.contains(signal);
    }
}
