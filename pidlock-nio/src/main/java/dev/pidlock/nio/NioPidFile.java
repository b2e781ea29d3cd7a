package dev.pidlock.nio;

import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import dev.pidlock.spi.UncertainIdentityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One pidfile open through java.nio. */
final class NioPidFile implements PidFileHandle {

    /** Ends timed waits by closing the waiting channel, which wakes the blocked {@code F_SETLKW}. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pidlock-nio-timeout");
        t.setDaemon(true);
        return t;
    });

    private static final int WAITING = 0;
    private static final int LOCKED = 1;
    private static final int TIMED_OUT = 2;

    private final Path path;
    private final FileChannel channel;
    private final FileIdentity identity;
    private FileLock lock;

    /** @param identity the file's identity, or null when the path changed while it was opened */
    NioPidFile(Path path, FileChannel channel, FileIdentity identity) {
        this.path = path;
        this.channel = channel;
        this.identity = identity;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public FileIdentity identity() throws IOException {
        if (identity == null) {
            throw new UncertainIdentityException(path);
        }
        return identity;
    }

    @Override
    public boolean tryLock() throws IOException {
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return false;
        }
        return lock != null;
    }

    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        if (timeout.isZero() || timeout.isNegative()) {
            return tryLock();
        }
        if (Thread.interrupted()) {
            // a pending interrupt has closed the channel at its first interruptible call (a read, say), so
            // lock() would only say ClosedChannelException
            channel.close();
            throw new InterruptedException("interrupted before waiting for the lock on " + path);
        }
        AtomicInteger state = new AtomicInteger(WAITING);
        ScheduledFuture<?> timer = TIMER.schedule(() -> {
            if (state.compareAndSet(WAITING, TIMED_OUT)) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the waiter sees the channel closed either way
                }
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        FileLock taken;
        try {
            taken = channel.lock();
        } catch (ClosedByInterruptException | FileLockInterruptionException e) {
            // FileChannel.lock reports an interrupt in the wait as FileLockInterruptionException (the channel
            // is closed by then, as the SPI promises); an interrupt before it blocked, as ClosedByInterrupt.
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for the lock on " + path);
        } catch (AsynchronousCloseException e) {
            if (state.get() == TIMED_OUT) {
                return false;
            }
            throw e;
        } catch (OverlappingFileLockException e) {
            return false;
        } finally {
            timer.cancel(false);
        }
        if (!state.compareAndSet(WAITING, LOCKED)) {
            return false;
        }
        lock = taken;
        return true;
    }

    @Override
    public LockProbe probe() {
        return LockProbe.unknown();
    }

    @Override
    public void unlock() throws IOException {
        FileLock l = lock;
        lock = null;
        if (l != null && l.isValid()) {
            l.release();
        }
    }

    @Override
    public byte[] read(int limit) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(limit);
        long position = 0;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        return Arrays.copyOf(buf.array(), buf.position());
    }

    @Override
    public void replaceContent(byte[] content) throws IOException {
        channel.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(content);
        long position = 0;
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }

    @Override
    public void setMode(Set<PosixFilePermission> mode) throws IOException {
        PathFacts facts = stillOurs("chmod");
        if (facts.mode() == toBits(mode)) {
            return;
        }
        // java.nio has no fchmod; a NOFOLLOW attribute view would open and close a second descriptor, which
        // drops our POSIX lock. chmod by path, right after checking that the path names our regular file.
        Files.setPosixFilePermissions(path, mode);
    }

    @Override
    public void setOwner(String owner, String group) throws IOException {
        stillOurs("chown");
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (owner != null) {
            UserPrincipal user = users.lookupPrincipalByName(owner);
            view.setOwner(user);
        }
        if (group != null) {
            GroupPrincipal g = users.lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
    }

    private PathFacts stillOurs(String operation) throws IOException {
        Optional<PathFacts> now = PathFacts.read(path);
        if (now.isEmpty() || now.get().type() != PathFacts.FileType.REGULAR
                || !now.get().identity().equals(identity)) {
            throw new IOException(operation + " " + path + ": the path no longer names the locked file");
        }
        return now.get();
    }

    static int toBits(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return bits;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "NioPidFile[" + path + (identity != null ? ", " + identity : "") + "]";
    }
}
