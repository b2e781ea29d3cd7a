package dev.pidlock.fcntl.libc;

import java.util.Locale;
import java.util.Optional;

/**
 * The constants and struct layouts of one operating system and architecture, declared from its headers.
 * A platform that is not declared here has no binding: the backends say so through {@code isAvailable()}
 * instead of guessing.
 *
 * @param name        for messages, for example {@code linux-x86-64}
 * @param openFlags   the {@code open(2)} flags
 * @param fcntl       the {@code fcntl(2)} commands and lock types
 * @param flock       the layout of {@code struct flock}
 * @param stat        the layout of {@code struct stat}
 * @param errno       the errno numbers pidlock tells apart
 * @param procLocks   whether {@code /proc/locks} lists the kernel's locks (Linux)
 */
public record Platform(String name, OpenFlags openFlags, FcntlCommands fcntl, FlockLayout flock, StatLayout stat,
                       Errno errno, boolean procLocks) {

    /** {@code open(2)} flags. */
    public record OpenFlags(int rdonly, int rdwr, int creat, int excl, int nofollow, int cloexec, int nonblock) {
    }

    /**
     * {@code fcntl(2)} commands and lock types; the OFD commands are -1 where the system has none.
     */
    public record FcntlCommands(int getfd, int setfd, int fdCloexec, int getlk, int setlk, int setlkw,
                                int ofdGetlk, int ofdSetlk, int ofdSetlkw, short rdlck, short wrlck, short unlck) {
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
     */
    public record StatLayout(int size, int dev, boolean dev64, int ino, int mode, boolean mode32, int nlink,
                             boolean nlink64, int uid, int mtimeSec, int mtimeNsec, String symbol) {
    }

    /** errno numbers. */
    public record Errno(int eperm, int enoent, int eintr, int eio, int enxio, int ebadf, int eagain, int eacces,
                        int eexist, int enotdir, int eisdir, int einval, int enospc, int erofs, int eloop,
                        int edeadlk, int enolck, int eopnotsupp) {
    }

    /** {@code flock(2)} operations, the same everywhere. */
    public static final int LOCK_SH = 1;
    /** Exclusive. */
    public static final int LOCK_EX = 2;
    /** Do not block. */
    public static final int LOCK_NB = 4;
    /** Unlock. */
    public static final int LOCK_UN = 8;

    /** {@code lockf(3)} commands, the same everywhere. */
    public static final int F_ULOCK = 0;
    /** Lock, waiting. */
    public static final int F_LOCK = 1;
    /** Lock or fail with EACCES/EAGAIN. */
    public static final int F_TLOCK = 2;
    /** Test. */
    public static final int F_TEST = 3;

    /** {@code SEEK_SET}, the same everywhere. */
    public static final short SEEK_SET = 0;

    private static final Errno LINUX_ERRNO = new Errno(1, 2, 4, 5, 6, 9, 11, 13, 17, 20, 21, 22, 28, 30, 40, 35,
            37, 95);

    private static final OpenFlags LINUX_X86_64_OPEN = new OpenFlags(0, 02, 0100, 0200, 0400000, 02000000, 04000);
    /** aarch64 Linux moves O_NOFOLLOW (and O_DIRECTORY) relative to x86-64. */
    private static final OpenFlags LINUX_AARCH64_OPEN = new OpenFlags(0, 02, 0100, 0200, 0100000, 02000000, 04000);

    private static final FcntlCommands LINUX_FCNTL = new FcntlCommands(1, 2, 1, 5, 6, 7, 36, 37, 38,
            (short) 0, (short) 1, (short) 2);

    /** x86-64 and aarch64 Linux share the 64-bit {@code struct flock}: 32 bytes. */
    private static final FlockLayout LINUX_FLOCK = new FlockLayout(32, 0, 2, 8, 16, 24);

    /** x86-64: dev@0 ino@8 nlink@16 (64-bit) mode@24 uid@28 gid@32 … mtim@88; 144 bytes. */
    private static final StatLayout LINUX_X86_64_STAT = new StatLayout(144, 0, true, 8, 24, true, 16, true, 28,
            88, 96, "fstat");

    /** aarch64 (the generic layout): dev@0 ino@8 mode@16 nlink@20 (32-bit) uid@24 … mtim@88; 128 bytes. */
    private static final StatLayout LINUX_AARCH64_STAT = new StatLayout(128, 0, true, 8, 16, true, 20, false, 24,
            88, 96, "fstat");

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
                        LINUX_X86_64_STAT, LINUX_ERRNO, true));
            }
            if (arch.equals("aarch64") || arch.equals("arm64")) {
                return Optional.of(new Platform("linux-aarch64", LINUX_AARCH64_OPEN, LINUX_FCNTL, LINUX_FLOCK,
                        LINUX_AARCH64_STAT, LINUX_ERRNO, true));
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
     * by this project's CI, which runs on Linux.
     */
    private static Platform macosArm64() {
        return new Platform("macos-aarch64",
                new OpenFlags(0, 02, 0x200, 0x800, 0x100, 0x1000000, 0x4),
                new FcntlCommands(1, 2, 1, 7, 8, 9, -1, -1, -1, (short) 1, (short) 3, (short) 2),
                new FlockLayout(24, 20, 22, 0, 8, 16),
                new StatLayout(144, 0, false, 8, 4, false, 6, false, 16, 48, 56, "fstat"),
                new Errno(1, 2, 4, 5, 6, 9, 35, 13, 17, 20, 21, 22, 28, 30, 62, 11, 77, 102),
                false);
    }

    /**
     * @param n an errno number
     * @return its symbolic name here, or {@code errno N}
     */
    public String errnoName(int n) {
        Errno e = errno;
        if (n == e.eperm()) {
            return "EPERM";
        } else if (n == e.enoent()) {
            return "ENOENT";
        } else if (n == e.eintr()) {
            return "EINTR";
        } else if (n == e.eio()) {
            return "EIO";
        } else if (n == e.enxio()) {
            return "ENXIO";
        } else if (n == e.ebadf()) {
            return "EBADF";
        } else if (n == e.eagain()) {
            return "EAGAIN";
        } else if (n == e.eacces()) {
            return "EACCES";
        } else if (n == e.eexist()) {
            return "EEXIST";
        } else if (n == e.enotdir()) {
            return "ENOTDIR";
        } else if (n == e.eisdir()) {
            return "EISDIR";
        } else if (n == e.einval()) {
            return "EINVAL";
        } else if (n == e.enospc()) {
            return "ENOSPC";
        } else if (n == e.erofs()) {
            return "EROFS";
        } else if (n == e.eloop()) {
            return "ELOOP";
        } else if (n == e.edeadlk()) {
            return "EDEADLK";
        } else if (n == e.enolck()) {
            return "ENOLCK";
        } else if (n == e.eopnotsupp()) {
            return "EOPNOTSUPP";
        }
        return "errno " + n;
    }
}
