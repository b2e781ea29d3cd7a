package dev.pidlock.lockf;

import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.fcntl.libc.ReleaseWait;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * A pidfile open through the C library and locked with {@code lockf(3)}. {@code lockf} locks from the file
 * offset, which stays 0: this handle reads and writes with {@code pread}/{@code pwrite} only, so
 * {@code lockf(fd, F_TLOCK, 0)} locks the whole file, as far as it will ever grow.
 */
final class LockfLock implements Exclusion {

    /**
     * How long an empty file that this handle did not create, carrying the {@link #CREATION_MARK}, counts as
     * being created by another process: its creator has opened it with {@code O_EXCL} and not locked it yet.
     * Measured from the modification time; the change time adds nothing (it is never older) and would keep a
     * file whose mtime was set back young.
     */
    static final Duration CREATION_GRACE = Duration.ofSeconds(1);

    /**
     * The mark of a file in its creator's window: the owner's execute bit, which a pidfile never needs and a
     * umask does not clear. pidlock's {@code fchmod} after locking removes it.
     */
    static final int CREATION_MARK = 0100;

    private final NativeFile file;
    private boolean locked;
    private boolean deferralLogged;

    /** @param file the open file; {@link NativeFile#created()} when this process created it for this lock */
    LockfLock(NativeFile file) {
        this.file = file;
    }

    /**
     * {@code lockf(F_TLOCK)}, unless the file is being created by another process. That is checked before
     * locking, so that a creator never finds its file locked by a process that only came to look, and again
     * with the lock held, when nobody can change the file under the check.
     */
    @Override
    public boolean tryLock() throws IOException {
        if (beingCreatedByAnother()) {
            return false;
        }
        if (Libc.lockf(file.fd(), Platform.F_TLOCK, 0) != 0) {
            int errno = Libc.errno();
            if (file.errors().meansHeld(errno)) {
                return false;
            }
            throw file.errors().failure("lockf(F_TLOCK)", file.path(), errno);
        }
        locked = true;
        if (beingCreatedByAnother()) {
            unlock();
            return false;
        }
        return true;
    }

    /** Sleeps until the pidfile shows a release, see {@link ReleaseWait}. */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        return ReleaseWait.lock(file, this::tryLock, timeout);
    }

    /** {@code fcntl(F_GETLK)}: {@code lockf} locks are POSIX record locks, so the kernel names the holder. */
    @Override
    public LockProbe probe() throws IOException {
        return file.fcntlProbe(false);
    }

    @Override
    public void unlock() throws IOException {
        if (locked) {
            locked = false;
            if (Libc.lockf(file.fd(), Platform.F_ULOCK, 0) != 0) {
                throw file.errors().failure("lockf(F_ULOCK)", file.path(), Libc.errno());
            }
        }
    }

    /**
     * @param mode the mode pidlock asked for
     * @return that mode with the {@link #CREATION_MARK}, to create the file with
     */
    static Set<PosixFilePermission> withCreationMark(Set<PosixFilePermission> mode) {
        EnumSet<PosixFilePermission> marked = EnumSet.of(PosixFilePermission.OWNER_EXECUTE);
        marked.addAll(mode);
        return marked;
    }

    /**
     * @return whether the file is empty, was not created by this handle, carries the {@link #CREATION_MARK}
     *         and was modified less than {@link #CREATION_GRACE} ago (or ahead): the state of a file between
     *         its creator's {@code open} and its creator's lock
     */
    private boolean beingCreatedByAnother() throws IOException {
        if (file.created() || file.read(1).length != 0) {
            return false;
        }
        NativeFile.Stat stat = file.stat();
        if ((stat.mode() & CREATION_MARK) == 0) {
            return false;
        }
        long age = ageNanos(Instant.now(), stat.mtimeSec(), stat.mtimeNsec());
        boolean young = Math.abs(age) < CREATION_GRACE.toNanos();
        if (young && !deferralLogged) {
            deferralLogged = true;
            LockfBackend.LOG.log(Level.DEBUG, () -> "pidfile " + file.path() + " is empty and " + age / 1_000_000
                    + " ms old: taken to be being created by another process");
        }
        return young;
    }

    /** @return nanoseconds from the modification time to {@code now}; negative for a time ahead of it */
    static long ageNanos(Instant now, long mtimeSec, long mtimeNsec) {
        long seconds = now.getEpochSecond() - mtimeSec;
        if (Math.abs(seconds) > 1_000_000) {
            return seconds > 0 ? Long.MAX_VALUE : Long.MIN_VALUE + 1;
        }
        return seconds * 1_000_000_000L + (now.getNano() - mtimeNsec);
    }

    @Override
    public String toString() {
        return "LockfLock[" + file.path() + ", " + file.identity() + (file.created() ? ", created" : "") + "]";
    }
}
