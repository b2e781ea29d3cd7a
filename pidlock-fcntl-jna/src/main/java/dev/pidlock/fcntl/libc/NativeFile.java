package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.UnsafeFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * One pidfile descriptor opened through the C library: opened without following a symlink, without
 * blocking, close-on-exec unless meant to be inherited, and refused unless {@code fstat} says it is a regular
 * file. Reads, writes, {@code fchmod} and {@code fstat} go through the descriptor only. The {@code struct
 * flock} and {@code struct stat} buffers are Java arrays, one of each per thread, filled and read within one
 * method: a call allocates no native memory (JNA's {@code Memory} costs a {@code malloc}, a cleaner
 * registration and a {@code free} each) and no Java buffer.
 *
 * <p>Used by one thread at a time, as pidlock's algorithm does.
 */
public final class NativeFile implements OpenPidFile {
    private static final int S_IFMT = 0170000;

    /** Reads of a pidfile's few bytes go through this per-thread buffer; only what was read is copied out. */
    private static final int SCRATCH_SIZE = 256;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[SCRATCH_SIZE]);
    private static final byte[] EMPTY = new byte[0];

    /** This thread's {@code struct stat}: filled and read within one method, never kept. */
    private static final ThreadLocal<ByteBuffer> STAT = ThreadLocal.withInitial(() -> struct(0));

    /** This thread's {@code struct flock}: filled and read within one method, never kept. */
    private static final ThreadLocal<ByteBuffer> FLOCK = ThreadLocal.withInitial(() -> struct(0));

    /**
     * The last two paths turned into C strings (an acquire names the pidfile and its directory), each followed
     * by its string; the strings are never written to (the calls only read paths).
     */
    private static volatile Object[] lastCStrings = {null, null, null, null};

    private final Platform platform;
    private final Errors errors;
    private final Path path;
    private final byte[] cpath;
    private final int fd;
    private final FileIdentity identity;
    private final int mode;
    private final boolean created;
    private boolean closed;
    /**
     * The file's length as the last {@link #read} found it (it reached the end of the file), for the
     * {@link #write} that follows; -1 when unknown. A write forgets it: the next one looks again.
     */
    private long knownLength = -1;

    private NativeFile(Platform platform, Errors errors, Path path, byte[] cpath, int fd, FileIdentity identity,
                       int mode, boolean created) {
        this.platform = platform;
        this.errors = errors;
        this.path = path;
        this.cpath = cpath;
        this.fd = fd;
        this.identity = identity;
        this.mode = mode;
        this.created = created;
    }

    /**
     * How {@link #open} opens the pidfile. Made with {@link #forReading()} or {@link #forLocking(Set)}.
     *
     * @param forLocking      open read-write and create when absent; otherwise read-only, existing only
     * @param createExclusive with {@code forLocking}: create with {@code O_EXCL} (fails with
     *                        {@link java.nio.file.FileAlreadyExistsException} when present)
     * @param inheritable     leave the descriptor open across {@code exec}
     * @param createMode      the mode of a created file
     */
    public record OpenOptions(boolean forLocking, boolean createExclusive, boolean inheritable,
                              Set<PosixFilePermission> createMode) {
        /** @throws IllegalArgumentException for an exclusive create without locking */
        public OpenOptions {
            java.util.Objects.requireNonNull(createMode, "createMode");
            if (createExclusive && !forLocking) {
                throw new IllegalArgumentException("an exclusive create is an open for locking");
            }
        }

        /** @return read-only, an existing file only, close-on-exec */
        public static OpenOptions forReading() {
            return new OpenOptions(false, false, false, Set.of());
        }

        /**
         * @param createMode the mode of a created file
         * @return read-write, created when absent, close-on-exec
         */
        public static OpenOptions forLocking(Set<PosixFilePermission> createMode) {
            return new OpenOptions(true, false, false, createMode);
        }

        /** @return these options, creating with {@code O_EXCL} */
        public OpenOptions createExclusively() {
            return new OpenOptions(forLocking, true, inheritable, createMode);
        }

        /**
         * @param inherit whether the descriptor stays open across {@code exec}
         * @return these options with that
         */
        public OpenOptions inheritable(boolean inherit) {
            return new OpenOptions(forLocking, createExclusive, inherit, createMode);
        }
    }

    /**
     * Opens {@code path}.
     *
     * @param errors  the errno translation of the platform
     * @param path    the pidfile
     * @param options how
     * @return the open file
     * @throws IOException when it cannot be opened, or is not a regular file
     */
    public static NativeFile open(Errors errors, Path path, OpenOptions options) throws IOException {
        Platform p = errors.platform();
        Platform.OpenFlags f = p.openFlags();
        int flags = f.nofollow() | f.nonblock() | (options.inheritable() ? 0 : f.cloexec());
        flags |= options.forLocking() ? f.rdwr() | f.creat() | (options.createExclusive() ? f.excl() : 0)
                : f.rdonly();
        byte[] cpath = cString(path);
        int fd = Libc.open(cpath, flags, toBits(options.createMode()));
        if (fd < 0) {
            int errno = Libc.errno();
            if (options.createExclusive() && errno == p.errno().eexist()) {
                throw new java.nio.file.FileAlreadyExistsException(path.toString());
            }
            throw errors.openFailure(path, errno);
        }
        Platform.StatLayout l = p.stat();
        ByteBuffer st = scratchStat(l);
        if (Libc.fstat(fd, st.array()) != 0) {
            int errno = Libc.errno();
            Libc.close(fd);
            throw errors.failure("fstat", path, errno);
        }
        int rawMode = l.mode(st);
        if ((rawMode & S_IFMT) != 0100000) {
            Libc.close(fd);
            throw new UnsafeFileException(path, "is a " + describe(rawMode) + ", not a regular file");
        }
        return new NativeFile(p, errors, path, cpath, fd, l.identity(st), rawMode & 07777,
                options.createExclusive());
    }

    /**
     * Examines {@code path} with one {@code lstat} call (what {@link dev.pidlock.spi.PidFileStore#examine} asks).
     *
     * @param errors the errno translation of the platform
     * @param path   what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when {@code lstat} fails otherwise
     */
    public static java.util.Optional<PathFacts> lstat(Errors errors, Path path) throws IOException {
        return examine(errors, path, false);
    }

    /**
     * Examines what {@code path} leads to, following symlinks, with one {@code stat} call (what
     * {@link dev.pidlock.spi.PidFileStore#examineFollowing} asks).
     *
     * @param errors the errno translation of the platform
     * @param path   what to examine
     * @return its facts, or empty when nothing is there
     * @throws IOException when {@code stat} fails otherwise
     */
    public static java.util.Optional<PathFacts> stat(Errors errors, Path path) throws IOException {
        return examine(errors, path, true);
    }

    private static java.util.Optional<PathFacts> examine(Errors errors, Path path, boolean follow)
            throws IOException {
        Platform p = errors.platform();
        Platform.StatLayout l = p.stat();
        ByteBuffer st = scratchStat(l);
        byte[] cpath = cString(path);
        if ((follow ? Libc.stat(cpath, st.array()) : Libc.lstat(cpath, st.array())) != 0) {
            int errno = Libc.errno();
            if (errno == p.errno().enoent()) {
                return java.util.Optional.empty();
            }
            throw errors.failure(follow ? "stat" : "lstat", path, errno);
        }
        long nanos = st.getLong(l.mtimeSec()) * 1_000_000_000L + st.getLong(l.mtimeNsec());
        return java.util.Optional.of(PathFacts.fromStat(l.identity(st), l.mode(st), st.getInt(l.uid()), nanos));
    }

    private static String describe(int rawMode) {
        int type = rawMode & S_IFMT;
        for (PathFacts.FileType t : PathFacts.FileType.values()) {
            if (typeBits(t) == type) {
                return t.describe();
            }
        }
        return "special file";
    }

    private static int typeBits(PathFacts.FileType t) {
        return switch (t) {
            case REGULAR -> 0100000;
            case DIRECTORY -> 0040000;
            case SYMLINK -> 0120000;
            case FIFO -> 0010000;
            case SOCKET -> 0140000;
            case DEVICE -> 0020000;
        };
    }

    private static ByteBuffer scratchStat(Platform.StatLayout l) {
        ByteBuffer st = STAT.get();
        if (st.capacity() != l.size()) {
            st = struct(l.size());
            STAT.set(st);
        }
        return st;
    }

    private ByteBuffer scratchFlock() {
        ByteBuffer fl = FLOCK.get();
        if (fl.capacity() != platform.flock().size()) {
            fl = struct(platform.flock().size());
            FLOCK.set(fl);
        }
        return fl;
    }

    /** @return a zeroed struct of {@code size} bytes in the platform's byte order */
    static ByteBuffer struct(int size) {
        return ByteBuffer.wrap(new byte[size]).order(ByteOrder.nativeOrder());
    }

    static byte[] cString(Path path) {
        Object[] last = lastCStrings;
        if (path.equals(last[0])) {
            return (byte[]) last[1];
        }
        if (path.equals(last[2])) {
            return (byte[]) last[3];
        }
        byte[] c = toCString(path);
        lastCStrings = new Object[] {path, c, last[0], last[1]};
        return c;
    }

    private static byte[] toCString(Path path) {
        byte[] raw = path.toString().getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[raw.length + 1];
        System.arraycopy(raw, 0, c, 0, raw.length);
        return c;
    }

    /** @return the permission bits of {@code mode} */
    public static int toBits(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return bits;
    }

    /** @return the pidfile's path */
    @Override
    public Path path() {
        return path;
    }

    /** @return the descriptor */
    public int fd() {
        return fd;
    }

    /** @return device and inode, from {@code fstat} of the descriptor */
    @Override
    public FileIdentity identity() {
        return identity;
    }

    /** @return the platform */
    public Platform platform() {
        return platform;
    }

    /** @return the errno translation */
    public Errors errors() {
        return errors;
    }

    /**
     * Fills this thread's {@code struct flock} for the whole file and returns it.
     *
     * @param type {@code F_WRLCK}, {@code F_RDLCK} or {@code F_UNLCK}
     * @return the struct, ready for {@code fcntl}
     */
    byte[] flock(short type) {
        Platform.FlockLayout l = platform.flock();
        ByteBuffer flock = scratchFlock();
        flock.putShort(l.type(), type);
        flock.putShort(l.whence(), Platform.SEEK_SET);
        flock.putLong(l.start(), 0);
        flock.putLong(l.len(), 0);
        flock.putInt(l.pid(), 0);
        return flock.array();
    }

    /** @return {@code l_type} of the struct after {@code F_GETLK} */
    short flockType() {
        return FLOCK.get().getShort(platform.flock().type());
    }

    /** @return {@code l_pid} of the struct after {@code F_GETLK} */
    int flockPid() {
        return FLOCK.get().getInt(platform.flock().pid());
    }

    /**
     * Takes a write lock on the whole file with {@code fcntl}, without waiting.
     *
     * @param ofd an open file description lock ({@code F_OFD_SETLK}) or a classic POSIX one ({@code F_SETLK})
     * @return true when taken, false when somebody else holds a conflicting lock
     * @throws IOException on any other failure
     */
    public boolean fcntlLock(boolean ofd) throws IOException {
        Platform.FcntlCommands c = platform.fcntl();
        if (Libc.fcntl(fd, ofd ? c.ofdSetlk() : c.setlk(), flock(c.wrlck())) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errors.meansHeld(errno)) {
            return false;
        }
        throw errors.failure(ofd ? "fcntl(F_OFD_SETLK)" : "fcntl(F_SETLK)", path, errno);
    }

    /**
     * Gives up an {@code fcntl} lock on the whole file.
     *
     * @param ofd as for {@link #fcntlLock(boolean)}
     * @throws IOException when the call fails
     */
    public void fcntlUnlock(boolean ofd) throws IOException {
        Platform.FcntlCommands c = platform.fcntl();
        if (Libc.fcntl(fd, ofd ? c.ofdSetlk() : c.setlk(), flock(c.unlck())) != 0) {
            throw errors.failure(ofd ? "fcntl(F_OFD_SETLK, F_UNLCK)" : "fcntl(F_SETLK, F_UNLCK)", path,
                    Libc.errno());
        }
    }

    /**
     * Asks the kernel whether a write lock on the whole file could be taken, without taking it
     * ({@code F_OFD_GETLK} or {@code F_GETLK}); the kernel names a POSIX holder's pid.
     *
     * @param ofd as for {@link #fcntlLock(boolean)}
     * @return free, or held (by a pid when the kernel names one)
     * @throws IOException when the call fails
     */
    public LockProbe fcntlProbe(boolean ofd) throws IOException {
        Platform.FcntlCommands c = platform.fcntl();
        if (Libc.fcntl(fd, ofd ? c.ofdGetlk() : c.getlk(), flock(c.wrlck())) != 0) {
            throw errors.failure(ofd ? "fcntl(F_OFD_GETLK)" : "fcntl(F_GETLK)", path, Libc.errno());
        }
        if (flockType() == c.unlck()) {
            return LockProbe.free();
        }
        int pid = flockPid();
        return pid > 0 ? LockProbe.heldBy(pid) : LockProbe.held();
    }

    /**
     * What {@code fstat} says of the open file now.
     *
     * @param mode      the permission bits and the file type bits ({@code st_mode})
     * @param mtimeSec  the modification time, seconds
     * @param mtimeNsec the modification time, nanoseconds of the second
     */
    public record Stat(int mode, long mtimeSec, long mtimeNsec) {
    }

    /**
     * @return the file's mode and modification time, from the descriptor
     * @throws IOException when {@code fstat} fails
     */
    public Stat stat() throws IOException {
        Platform.StatLayout l = platform.stat();
        ByteBuffer statBuffer = scratchStat(l);
        if (Libc.fstat(fd, statBuffer.array()) != 0) {
            throw errors.failure("fstat", path, Libc.errno());
        }
        return new Stat(l.mode(statBuffer), statBuffer.getLong(l.mtimeSec()), statBuffer.getLong(l.mtimeNsec()));
    }

    /**
     * @param limit the most bytes to read
     * @return up to {@code limit} bytes from offset 0
     * @throws IOException when {@code pread} fails
     */
    @Override
    public byte[] read(int limit) throws IOException {
        byte[] buf = limit <= SCRATCH_SIZE ? SCRATCH.get() : new byte[Math.max(1, limit)];
        int total = 0;
        while (total < limit) {
            byte[] into = total == 0 ? buf : new byte[limit - total];
            long n = Libc.pread(fd, into, limit - total, total);
            if (n < 0) {
                throw errors.failure("pread", path, Libc.errno());
            }
            if (n == 0) {
                break;
            }
            if (into != buf) {
                System.arraycopy(into, 0, buf, total, (int) n);
            }
            total += (int) n;
        }
        knownLength = total < limit ? total : -1;
        if (total == 0) {
            return EMPTY;
        }
        return total == buf.length && limit > SCRATCH_SIZE ? buf : java.util.Arrays.copyOf(buf, total);
    }

    /**
     * Writes {@code content} from offset 0 ({@code pwrite}), then cuts what follows it ({@code ftruncate}) only
     * when the file was longer: an empty or shorter file is never truncated (on ext4 an {@code ftruncate}, even
     * of an empty file, costs a journal commit), and content no longer than what was there needs no new block.
     * When the {@link #read} just before reached the end of the file, its length decides; otherwise one
     * {@code pread} of the byte after the content does.
     *
     * @param content the new content
     * @throws IOException when {@code pwrite}, {@code pread} or {@code ftruncate} fails
     */
    @Override
    public void write(byte[] content) throws IOException {
        long before = knownLength;
        knownLength = -1;
        int total = 0;
        while (total < content.length) {
            byte[] from = total == 0 ? content : java.util.Arrays.copyOfRange(content, total, content.length);
            long n = Libc.pwrite(fd, from, content.length - total, total);
            if (n < 0) {
                throw errors.failure("pwrite", path, Libc.errno());
            }
            total += (int) n;
        }
        boolean longer;
        if (before >= 0) {
            longer = before > content.length;
        } else {
            long beyond = Libc.pread(fd, new byte[1], 1, content.length);
            if (beyond < 0) {
                throw errors.failure("pread", path, Libc.errno());
            }
            longer = beyond > 0;
        }
        if (longer && Libc.ftruncate(fd, content.length) != 0) {
            throw errors.failure("ftruncate", path, Libc.errno());
        }
    }

    /**
     * Sets the mode through the descriptor; skips the call when the file already has it.
     *
     * @param wanted the permission bits
     * @throws IOException when {@code fchmod} fails
     */
    @Override
    public void setMode(Set<PosixFilePermission> wanted) throws IOException {
        int bits = toBits(wanted);
        if (bits == mode) {
            return;
        }
        if (Libc.fchmod(fd, bits) != 0) {
            throw errors.failure("fchmod", path, Libc.errno());
        }
    }

    /**
     * Changes owner and group of the open file itself: through {@code /proc/self/fd/N} of this descriptor, a
     * link the kernel resolves to the open file whatever the path names now ({@code chown} of it is
     * {@code fchown} of the descriptor). Without {@code /proc}, with {@code lchown} of the path right after
     * checking that it still names this file.
     *
     * @param owner a user name or numeric uid, or null
     * @param group a group name or numeric gid, or null
     * @throws IOException when they cannot be changed
     */
    @Override
    public void setOwner(String owner, String group) throws IOException {
        Path self = Path.of("/proc/self/fd/" + fd);
        java.nio.file.attribute.PosixFileAttributeView view;
        if (java.nio.file.Files.isDirectory(self.getParent())) {
            view = java.nio.file.Files.getFileAttributeView(self,
                    java.nio.file.attribute.PosixFileAttributeView.class);
        } else {
            var now = PathFacts.read(path);
            if (now.isEmpty() || !now.get().identity().equals(identity)) {
                throw new IOException("chown " + path + ": the path no longer names the locked file");
            }
            view = java.nio.file.Files.getFileAttributeView(path,
                    java.nio.file.attribute.PosixFileAttributeView.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        var users = path.getFileSystem().getUserPrincipalLookupService();
        try {
            if (owner != null) {
                view.setOwner(users.lookupPrincipalByName(owner));
            }
            if (group != null) {
                view.setGroup(users.lookupPrincipalByGroupName(group));
            }
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "no user or group " + e.getName());
        } catch (java.nio.file.AccessDeniedException e) {
            throw new java.nio.file.AccessDeniedException(path.toString()); // the pidfile, not /proc/self/fd/N
        } catch (java.nio.file.FileSystemException e) {
            throw new java.nio.file.FileSystemException(path.toString(), null, e.getReason());
        }
    }

    /**
     * Removes the path ({@code unlink}) when one {@code lstat} says it still names this file.
     *
     * @return what was at the path
     * @throws IOException when {@code lstat} or {@code unlink} fails
     */
    @Override
    public Removal deleteIfStillOurs() throws IOException {
        var now = lstat(errors, path);
        if (now.isEmpty()) {
            return Removal.ABSENT;
        }
        if (!now.get().identity().equals(identity)) {
            return Removal.REPLACED;
        }
        if (Libc.unlink(cpath) != 0) {
            int errno = Libc.errno();
            if (errno == platform.errno().enoent()) {
                return Removal.ABSENT;
            }
            throw errors.failure("unlink", path, errno);
        }
        return Removal.REMOVED;
    }

    /** @return the descriptor, while open */
    @Override
    public java.util.OptionalInt descriptor() {
        return closed ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(fd);
    }

    /**
     * Closes the descriptor, once.
     *
     * @throws IOException when {@code close} fails
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (Libc.close(fd) != 0) {
            throw errors.failure("close", path, Libc.errno());
        }
    }

    /** @return whether this open created the file ({@code O_EXCL} succeeded) */
    public boolean created() {
        return created;
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }
}
