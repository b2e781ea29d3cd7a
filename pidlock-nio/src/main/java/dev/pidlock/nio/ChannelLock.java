package dev.pidlock.nio;

import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileLock} on the pidfile's channel. The timed wait blocks in the kernel ({@code F_SETLKW}) and is
 * ended by closing the channel, which is the only way to wake it from Java: after a timeout or an interrupt
 * the file is closed.
 */
final class ChannelLock implements Exclusion {

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
    private FileLock lock;

    ChannelLock(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
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
            // is closed by then); an interrupt before it blocked, as ClosedByInterrupt.
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for the lock on " + path);
        } catch (ClosedChannelException e) {
            // AsynchronousCloseException when the timer closed the channel during the wait; a plain
            // ClosedChannelException when it fired before the wait began (a timeout of a few microseconds)
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

    /** java.nio cannot look at a lock without taking it. */
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
    public String toString() {
        return "ChannelLock[" + path + "]";
    }
}
