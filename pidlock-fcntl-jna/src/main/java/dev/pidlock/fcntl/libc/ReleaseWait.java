package dev.pidlock.fcntl.libc;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The timed wait of the native backends, whose kernel calls cannot be given a timeout or interrupted from Java:
 * the waiter sleeps until the pidfile's inode shows an event that a release makes, then tries the non-blocking
 * lock again.
 *
 * <ul>
 *   <li>Events ({@code inotify(7)} on the open file's inode, through {@code /proc/self/fd/N}, so the inode
 *   locked is the one watched whatever the path names now): {@code IN_CLOSE_WRITE}/{@code IN_CLOSE_NOWRITE}
 *   (a holder closing its descriptor or exiting, which is how pidlock, {@code flock(1)} and most programs
 *   release), {@code IN_ATTRIB} (an unlink, a mode change) and {@code IN_DELETE_SELF}.</li>
 *   <li>After an event the lock is tried again at once and then for {@link #BURST_NANOS} with pauses doubling
 *   from 20 µs to 0.5 ms: the kernel reports a close before it drops a {@code flock}/OFD lock, and pidlock's
 *   own release unlinks before it unlocks.</li>
 *   <li>Without an event the lock is tried every {@link #FALLBACK_NANOS}: an unlock that keeps the descriptor
 *   open ({@code flock -u}, {@code F_UNLCK}, {@code lockf(F_ULOCK)}) makes no event, and neither does a lock
 *   held by a creator that died before locking (lockf). Without inotify (not Linux, no {@code /proc}, the
 *   per-user limit of inotify instances reached) this slow poll is the whole wait.</li>
 *   <li>An interrupt is seen at the next wake-up: within {@link #FALLBACK_NANOS}.</li>
 *   <li>The inotify instance is kept for the next wait (closing one takes tens of milliseconds).</li>
 * </ul>
 *
 * A waiter thus wakes about 20 times a second plus a few times per event on the file, instead of the thousands
 * of a pure retry loop.
 */
public final class ReleaseWait {
    /** The first pause of a burst. */
    static final long FIRST_PAUSE_NANOS = 20_000;
    /** The longest pause of a burst. */
    static final long LONGEST_PAUSE_NANOS = 500_000;
    /** How long the lock is retried after an event. */
    static final long BURST_NANOS = 5_000_000;
    /** The longest sleep without an event. */
    public static final long FALLBACK_NANOS = 50_000_000;

    private static final System.Logger LOG = System.getLogger("dev.pidlock.fcntl");
    private static final int MASK = Libc.Inotify.IN_CLOSE_WRITE | Libc.Inotify.IN_CLOSE_NOWRITE
            | Libc.Inotify.IN_ATTRIB | Libc.Inotify.IN_DELETE_SELF;
    private static volatile boolean unwatchableLogged;

    /** One non-blocking attempt. */
    @FunctionalInterface
    public interface Attempt {
        /**
         * @return true when the lock was taken
         * @throws IOException on any failure other than contention
         */
        boolean tryLock() throws IOException;
    }

    private ReleaseWait() {
    }

    /**
     * @param file    the open pidfile the lock is on
     * @param attempt the non-blocking lock
     * @param timeout how long to wait at most
     * @return true when taken, false when the timeout passed first
     * @throws IOException          when an attempt fails
     * @throws InterruptedException when the thread is interrupted while waiting
     */
    public static boolean lock(NativeFile file, Attempt attempt, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (attempt.tryLock()) {
            return true;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            return false;
        }
        try (Watch watch = Watch.on(file)) {
            long burstEnd = 0;
            long pause = FIRST_PAUSE_NANOS;
            // the first round retries at once: a release between the first try and the watch made no event here
            while (!attempt.tryLock()) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for a lock");
                }
                long now = System.nanoTime();
                long left = deadline - now;
                if (left <= 0) {
                    return false;
                }
                if (now - burstEnd < 0) {
                    LockSupport.parkNanos(Math.min(pause, left));
                    pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
                } else if (watch.await(Math.min(left, FALLBACK_NANOS))) {
                    burstEnd = System.nanoTime() + BURST_NANOS;
                    pause = FIRST_PAUSE_NANOS;
                }
            }
            return true;
        }
    }

    /**
     * An inotify instance watching one inode, or nothing (then {@link #await} only sleeps). Closing an inotify
     * instance waits for an RCU grace period, tens of milliseconds, so instances are not closed after a wait but
     * kept, up to {@link #IDLE_INSTANCES}, for the next one: a wait removes its watch and leaves the instance
     * idle. Events of an earlier watch that are still queued are told apart by their watch descriptor.
     */
    private static final class Watch implements AutoCloseable {
        /** How many unused instances this JVM keeps; more are closed on a common-pool thread. */
        static final int IDLE_INSTANCES = 4;
        private static final ConcurrentLinkedDeque<Integer> IDLE = new ConcurrentLinkedDeque<>();
        private static final AtomicInteger IDLE_COUNT = new AtomicInteger();
        private static final Watch NONE = new Watch(-1, -1);

        private final int fd;
        private final int wd;
        private final byte[] pollfd = new byte[8];
        private final byte[] events = new byte[4096];

        private Watch(int fd, int wd) {
            this.fd = fd;
            this.wd = wd;
            ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).putInt(0, fd).putShort(4, Libc.Inotify.POLLIN);
        }

        static Watch on(NativeFile file) {
            if (!file.platform().name().startsWith("linux-")) {
                return NONE;
            }
            Integer idle = IDLE.pollFirst();
            int in;
            if (idle != null) {
                IDLE_COUNT.decrementAndGet();
                in = idle;
            } else {
                in = Libc.Inotify.inotify_init1(Libc.Inotify.IN_NONBLOCK | Libc.Inotify.IN_CLOEXEC);
                if (in < 0) {
                    unwatchable(file, "inotify_init1", Libc.errno());
                    return NONE;
                }
            }
            byte[] path = ("/proc/self/fd/" + file.fd() + "\0").getBytes(StandardCharsets.US_ASCII);
            int wd = Libc.Inotify.inotify_add_watch(in, path, MASK);
            if (wd < 0) {
                unwatchable(file, "inotify_add_watch", Libc.errno());
                release(in);
                return NONE;
            }
            return new Watch(in, wd);
        }

        private static void unwatchable(NativeFile file, String call, int errno) {
            if (!unwatchableLogged) {
                unwatchableLogged = true;
                LOG.log(Level.DEBUG, () -> "cannot watch " + file.path() + " for its release ("
                        + file.errors().failure(call, file.path(), errno).getMessage() + "): the wait tries every "
                        + TimeUnit.NANOSECONDS.toMillis(FALLBACK_NANOS) + " ms");
            }
        }

        /** Keeps an instance without watches for the next wait, or closes it off this thread. */
        private static void release(int in) {
            if (IDLE_COUNT.incrementAndGet() <= IDLE_INSTANCES) {
                IDLE.addFirst(in);
            } else {
                IDLE_COUNT.decrementAndGet();
                ForkJoinPool.commonPool().execute(() -> Libc.close(in));
            }
        }

        /**
         * @param nanos how long to sleep at most
         * @return true when an event of this watch woke it (the queue is drained), false after the time, a
         *         signal, or only events of an earlier watch of the instance
         */
        boolean await(long nanos) {
            if (fd < 0) {
                LockSupport.parkNanos(nanos);
                return false;
            }
            int millis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
            if (Libc.Inotify.poll(pollfd, 1, millis) <= 0) {
                return false;
            }
            return drain();
        }

        /** @return whether any queued event belongs to this watch */
        private boolean drain() {
            boolean ours = false;
            long n;
            while ((n = Libc.Inotify.read(fd, events, events.length)) > 0) {
                ByteBuffer b = ByteBuffer.wrap(events, 0, (int) n).order(ByteOrder.nativeOrder());
                // struct inotify_event: int wd, uint32_t mask, uint32_t cookie, uint32_t len, char name[len]
                for (int at = 0; at + 16 <= n; at += 16 + b.getInt(at + 12)) {
                    if (b.getInt(at) == wd && (b.getInt(at + 4) & Libc.Inotify.IN_IGNORED) == 0) {
                        ours = true;
                    }
                }
            }
            return ours;
        }

        @Override
        public void close() {
            if (fd < 0) {
                return;
            }
            if (Libc.Inotify.inotify_rm_watch(fd, wd) != 0) {
                // the watch is gone already (the inode was freed): the instance is still good
                LOG.log(Level.TRACE, () -> "inotify_rm_watch: errno " + Libc.errno());
            }
            drain();
            release(fd);
        }
    }
}
