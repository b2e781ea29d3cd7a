package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/** A pidfile open through the C library, locked with one {@link LockKind}. */
final class NativePidFile implements PidFileHandle {

    /** The first pause of a wait; it doubles up to {@link #LONGEST_PAUSE_NANOS}. */
    static final long FIRST_PAUSE_NANOS = 20_000;
    /** The longest pause of a wait: bounds the hand-over delay, and costs a few hundred wake-ups a second. */
    static final long LONGEST_PAUSE_NANOS = 500_000;

    private final NativeFile file;
    private final LockKind kind;
    private boolean locked;

    NativePidFile(NativeFile file, LockKind kind) {
        this.file = file;
        this.kind = kind;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public FileIdentity identity() {
        return file.identity();
    }

    @Override
    public boolean tryLock() throws IOException {
        locked = kind.tryLock(file);
        return locked;
    }

    /**
     * Waits by retrying the non-blocking lock with pauses that double from 20 µs to 0.5 ms: the kernel's
     * blocking calls cannot be given a timeout or interrupted from Java, and a retry loop with short sleeps
     * hands over within half a millisecond without spinning a core.
     */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            if (tryLock()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the lock on " + file.path());
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    @Override
    public LockProbe probe() throws IOException {
        return kind.probe(file);
    }

    @Override
    public void unlock() throws IOException {
        if (locked) {
            locked = false;
            kind.unlock(file);
        }
    }

    @Override
    public byte[] read(int limit) throws IOException {
        return file.read(limit);
    }

    @Override
    public void replaceContent(byte[] content) throws IOException {
        file.replaceContent(content);
    }

    @Override
    public void setMode(Set<PosixFilePermission> mode) throws IOException {
        file.setMode(mode);
    }

    @Override
    public void setOwner(String owner, String group) throws IOException {
        file.setOwner(owner, group);
    }

    @Override
    public OptionalInt descriptor() {
        return file.isClosed() ? OptionalInt.empty() : OptionalInt.of(file.fd());
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "NativePidFile[" + file.path() + ", " + file.identity() + "]";
    }
}
