package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Waiting for the lock: a waiter gets the lock when the holder releases or dies, whether the holder is another
 * process or another thread; a wait honours its timeout and names the holder; a waiter never keeps a file the path
 * no longer names (the unlink race); an interrupted wait ends with {@link InterruptedException} and leaves nothing
 * behind. A waiter gets the lock from a foreign holder that closes its descriptor and from one that only unlocks
 * it, and from a pidlock holder whether it deletes or truncates on release; and while it waits it sleeps: a
 * resource check of its CPU use and wake-ups, not of its speed.
 *
 * <p>A few steps check that a waiter has <em>not</em> been granted the lock a short while after it started:
 * that is a safety check (a grant would be a double grant), never a measure of speed.
 *
 * @since 0.1
 */
public abstract class WaitingCases extends ContractCase {

    /** How long a waiter is watched for a wrong grant before the test goes on. */
    private static final long WATCH_MILLIS = 300;

    /** The bound of {@link #aWaiterSleeps()} on a waiting thread's CPU use, in percent of a core. */
    static final double MAX_CPU_PERCENT = 2.5;
    /** The bound of {@link #aWaiterSleeps()} on a waiting thread's wake-ups a second. */
    static final double MAX_WAKEUPS = 60;
    private static final long SETTLE_MILLIS = 1500;
    private static final long MEASURE_MILLIS = 3000;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected WaitingCases() {
    }

    /**
     * A wait for the test's pidfile on its own thread, for twice {@link ChildProcess#PATIENCE}: a waiter that
     * misses a release and would only take the lock when its timeout ends is not granted within the patience
     * of {@link #granted()}.
     */
    private final class Waiter implements AutoCloseable {
        final CompletableFuture<PidLock> result = new CompletableFuture<>();
        final Thread thread;

        Waiter(boolean interruptedBeforeWaiting) {
            thread = new Thread(() -> {
                if (interruptedBeforeWaiting) {
                    Thread.currentThread().interrupt();
                }
                try {
                    result.complete(lock().acquire(ChildProcess.PATIENCE.multipliedBy(2)));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "contract-waiter");
            thread.setDaemon(true);
            thread.start();
            closeAfterwards(this);
        }

        /** Fails when the waiter got (or failed to get) anything within {@link #WATCH_MILLIS}. */
        void assertStillWaiting(String why) {
            try {
                PidLock wrong = result.get(WATCH_MILLIS, TimeUnit.MILLISECONDS);
                wrong.close();
                fail("the waiter got the lock while " + why);
            } catch (TimeoutException expected) {
                // still waiting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } catch (ExecutionException e) {
                throw new AssertionError("the waiter failed while " + why, e.getCause());
            }
        }

        PidLock granted() throws Exception {
            try {
                return result.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("the waiter failed", e.getCause());
            }
        }

        Throwable failure() throws Exception {
            try {
                PidLock wrong = result.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                wrong.close();
                throw new AssertionError("the waiter got the lock");
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }

        @Override
        public void close() throws Exception {
            thread.interrupt();
            thread.join(ChildProcess.PATIENCE.toMillis());
            if (result.isDone() && !result.isCompletedExceptionally()) {
                result.get().close();
            }
        }
    }

    /**
     * A waiting acquirer gets the lock once the holder, another process, releases.
     *
     * @throws Exception when the wait fails
     */
    @Test
    void waitingAcquirerGetsTheLockWhenTheHolderReleases() throws Exception {
        ChildProcess a = holder();
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("the child holds it");
        a.send("release");
        a.expect("RELEASED");
        try (PidLock mine = waiter.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * A waiting thread gets the lock once another thread of this JVM releases it.
     *
     * @throws Exception when the wait fails
     */
    @Test
    void waitingThreadGetsTheLockWhenAnotherThreadReleases() throws Exception {
        PidLock first = closeAfterwards(lock().acquire());
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("another thread holds it");
        first.close();
        try (PidLock mine = waiter.granted()) {
            assertTrue(mine.isHeld());
            assertEquals(ProcessHandle.current().pid() + "\n", content());
            ChildProcess c = child();
            String line = c.nextLine();
            assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);
        }
    }

    /**
     * The unlink race, with a rename: a waiter blocked on the old inode must not keep it once the path names
     * another file. Here the path is replaced by a fresh file while the child holds the old one; when the child
     * releases, the waiter locks the old, unlinked inode, sees that the path names another file, and starts
     * over on the new one. Its pid must end up in the file the path names, and that file must be locked.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void waiterOnAReplacedFileStartsOverOnTheNewOne() throws Exception {
        ChildProcess a = holder();
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("the child holds it");
        Path fresh = dir.resolve("fresh.tmp");
        Files.write(fresh, new byte[0]);
        Files.move(fresh, pidfile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        a.send("release");
        a.expect("RELEASED");
        try (PidLock mine = waiter.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content(),
                    "the waiter must hold (and write) the file the path names");
            ChildProcess c = child();
            String line = c.nextLine();
            assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);
        }
    }

    /**
     * The unlink race that the identity check after locking closes: A holds, B waits on A's inode, the file is
     * deleted and C creates and locks a new one; when A releases, A leaves C's file alone and B, woken on the
     * unlinked inode, must not hold while C does. B gets the lock once C releases, in the file the path names.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void waiterOnADeletedFileNeverHoldsWithTheNextCreator() throws Exception {
        ChildProcess a = holder();
        Waiter b = new Waiter(false);
        b.assertStillWaiting("A holds it");
        Files.delete(pidfile);
        ChildProcess c = holder();

        a.send("release");
        a.expect("RELEASED");
        assertEquals(c.pid() + "\n", content(), "A's release must leave C's file alone");
        b.assertStillWaiting("C holds the file the path names");
        ChildProcess d = child();
        String line = d.nextLine();
        assertTrue(line.startsWith("CONFLICT locked " + c.pid() + " "), "C must still hold: " + line);

        c.send("release");
        c.expect("RELEASED");
        try (PidLock mine = b.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content(),
                    "the waiter must hold (and write) the file the path names");
            ChildProcess e = child();
            String held = e.nextLine();
            assertTrue(held.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), held);
        }
    }

    /**
     * A wait that times out says so, naming the holder's pid.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void waitTimesOutNamingTheHolder() throws IOException {
        ChildProcess a = holder();
        AlreadyLockedException e = assertThrows(AlreadyLockedException.class,
                () -> lock().acquire(Duration.ofMillis(200)));
        assertEquals(a.pid(), e.holderPid().orElseThrow(), e.getMessage());
        assertFalse(e.heldByThisProcess());
        assertTrue(e.getMessage().contains(pidfile.toString()), e.getMessage());
    }

    /**
     * A child waiting for a holder that is killed gets the lock.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void waiterGetsTheLockWhenTheHolderDies() throws IOException {
        requires(Capability.RELEASED_ON_PROCESS_DEATH, "a dead holder's lock is not freed by the kernel, so a"
                + " waiter cannot count on getting it");
        ChildProcess a = holder();
        ChildProcess b = child("wait=60000");
        a.kill();
        assertEquals("ACQUIRED " + b.pid(), b.nextLine(), b::stderr);
        assertEquals(b.pid() + "\n", content());
    }

    /**
     * Interrupting a thread that waits for a lock another process holds ends its wait with
     * {@link InterruptedException}, and so does waiting with the interrupt already pending; neither leaves a
     * claim behind: the next acquisitions see the other process as the holder, and get the lock once it
     * releases.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void interruptingAWaitForAnotherProcessEndsIt() throws Exception {
        ChildProcess a = holder();
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("the child holds it");
        waiter.thread.interrupt();
        Throwable t = waiter.failure();
        assertTrue(t instanceof InterruptedException, "an interrupted wait must end with InterruptedException: " + t);

        Waiter pending = new Waiter(true);
        Throwable p = pending.failure();
        assertTrue(p instanceof InterruptedException, "a wait with the interrupt pending: " + p);

        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertFalse(e.heldByThisProcess(), "the interrupted waiter left a claim behind: " + e.getMessage());
        assertEquals(a.pid(), e.holderPid().orElseThrow(), e.getMessage());
        a.send("release");
        a.expect("RELEASED");
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld());
        }
    }

    /**
     * Interrupting a thread that waits for a lock another thread of this JVM holds ends its wait with
     * {@link InterruptedException}; the holder keeps the lock, and once it releases the file is free.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void interruptingAWaitForAnotherThreadEndsIt() throws Exception {
        PidLock first = closeAfterwards(lock().acquire());
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("another thread holds it");
        waiter.thread.interrupt();
        Throwable t = waiter.failure();
        assertTrue(t instanceof InterruptedException, "an interrupted wait must end with InterruptedException: " + t);
        assertTrue(first.isHeld());
        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);

        first.close();
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld());
        }
    }

    /**
     * A foreign process of the backend's lock family (util-linux {@code flock(1)} holding through a shell's
     * descriptor, or Python taking a {@code lockf} lock) that releases by closing its descriptor while it goes
     * on living hands the lock to a waiter.
     *
     * @throws Exception when a process cannot start
     */
    @Test
    void waiterGetsTheLockWhenAForeignHolderClosesIt() throws Exception {
        ChildProcess foreign = foreignHolder("close");
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("a foreign process holds it");
        foreign.send("");
        assertEquals("released", foreign.nextLine(), foreign::stderr);
        try (PidLock mine = waiter.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * A foreign process that unlocks ({@code flock -u}, {@code lockf(F_ULOCK)}) and keeps the file open makes no
     * event on the file: a waiter must still get the lock.
     *
     * @throws Exception when a process cannot start
     */
    @Test
    void waiterGetsTheLockWhenAForeignHolderUnlocksWithoutClosing() throws Exception {
        ChildProcess foreign = foreignHolder("unlock");
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("a foreign process holds it");
        foreign.send("");
        assertEquals("released", foreign.nextLine(), foreign::stderr);
        try (PidLock mine = waiter.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * A pidlock holder that truncates on release (and so leaves the file in place) hands the lock to a waiter.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void waiterGetsTheLockWhenTheHolderTruncatesOnRelease() throws Exception {
        ChildProcess a = child("release=TRUNCATE");
        assertEquals("ACQUIRED " + a.pid(), a.nextLine(), a::stderr);
        Waiter waiter = new Waiter(false);
        waiter.assertStillWaiting("the child holds it");
        a.send("release");
        a.expect("RELEASED");
        try (PidLock mine = waiter.granted()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * A waiter sleeps. A child JVM waits for the lock another process holds; over about three seconds its
     * waiting thread must use less than {@value #MAX_CPU_PERCENT} % of a core ({@code utime + stime} of
     * {@code /proc/PID/task/TID/stat}) and be switched out (voluntary and involuntary context switches of
     * {@code /proc/PID/task/TID/status}: its wake-ups) fewer than {@value #MAX_WAKEUPS} times a second. A wait
     * that retries every half millisecond uses 4–5 % of a core and wakes some 2 000 times a second; a sleeping
     * one wakes about 20 times. The whole process's CPU ({@code /proc/PID/stat}) is printed, not asserted: it
     * includes the JVM's own housekeeping. This is a resource check, not a time assertion: the bounds are
     * generous rates, and the elapsed time is only their denominator. Linux only ({@code /proc}).
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void aWaiterSleeps() throws Exception {
        skipUnless(Files.isReadable(Path.of("/proc/self/stat")) && Files.exists(Path.of("/proc/thread-self")),
                "no Linux /proc to read CPU times and context switches from");
        ChildProcess a = holder();
        ChildProcess b = child("wait=120000", "announce");
        String line = b.nextLine();
        assertTrue(line.startsWith("WAITING ") && !line.equals("WAITING -"), line + b.stderr());
        String tid = line.substring("WAITING ".length());
        Thread.sleep(SETTLE_MILLIS); // class loading and compilation of the way into the wait
        Usage before = Usage.of(b.pid(), tid);
        Thread.sleep(MEASURE_MILLIS);
        Usage after = Usage.of(b.pid(), tid);
        double seconds = (after.nanos - before.nanos) / 1e9;
        double ticks = clockTicks() * seconds / 100;
        double threadPercent = (after.threadTicks - before.threadTicks) / ticks;
        double processPercent = (after.processTicks - before.processTicks) / ticks;
        double wakeups = (after.switches - before.switches) / seconds;
        String figures = String.format(java.util.Locale.ROOT, "%s waiter over %.1f s: waiting thread %.2f %% of a"
                + " core and %.1f wake-ups a second; whole process %.2f %% of a core", backendId(), seconds,
                threadPercent, wakeups, processPercent);
        System.out.println("WAIT COST " + figures);
        assertTrue(threadPercent < MAX_CPU_PERCENT, figures);
        assertTrue(wakeups < MAX_WAKEUPS, figures);
        a.send("release");
        a.expect("RELEASED");
        assertEquals("ACQUIRED " + b.pid(), b.nextLine(), b::stderr);
    }

    /** CPU ticks of a process and of one of its threads, and that thread's context switches, at one moment. */
    private record Usage(long nanos, long processTicks, long threadTicks, long switches) {
        static Usage of(long pid, String tid) throws IOException {
            long now = System.nanoTime();
            Path task = Path.of("/proc/" + pid + "/task/" + tid);
            long switches = 0;
            for (String l : Files.readAllLines(task.resolve("status"))) {
                if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                    switches += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                }
            }
            return new Usage(now, ticks(Path.of("/proc/" + pid + "/stat")), ticks(task.resolve("stat")), switches);
        }

        /** @return fields 14 and 15 of a {@code stat} file: utime + stime */
        private static long ticks(Path stat) throws IOException {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
    }

    private static long clockTicks() throws IOException {
        return Long.parseLong(run("getconf", "CLK_TCK").trim());
    }

    /**
     * A foreign holder of the backend's lock family on the test's pidfile, started and holding: for a backend
     * that conflicts with {@code flock(2)}, a shell holding through {@code flock(1)} on its descriptor 9;
     * otherwise Python holding a {@code lockf} lock. On an empty line it releases ({@code close}: closes the
     * descriptor; {@code unlock}: unlocks and keeps it open), says {@code released}, and lives on until killed.
     */
    private ChildProcess foreignHolder(String how) throws IOException {
        boolean close = how.equals("close");
        ChildProcess c;
        if (capabilities().contains(Capability.CONFLICTS_WITH_FLOCK)) {
            requiresCommand("flock", "the foreign flock(2) holder is flock(1)");
            c = closeAfterwards(ChildProcess.start(null, java.util.List.of("sh", "-c",
                    "exec 9<>\"$1\" && flock 9 && echo held && read x && "
                            + (close ? "exec 9>&-" : "flock -u 9") + " && echo released && read y",
                    "sh", pidfile.toString())));
        } else if (capabilities().contains(Capability.CONFLICTS_WITH_FCNTL)) {
            requiresCommand("python3", "the foreign fcntl holder is Python's fcntl.lockf");
            c = closeAfterwards(ChildProcess.start(null, java.util.List.of("python3", "-c",
                    "import fcntl, sys\n"
                            + "f = open(sys.argv[1], 'a')\n"
                            + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                            + "print('held', flush=True)\n"
                            + "sys.stdin.readline()\n"
                            + (close ? "f.close()\n" : "fcntl.lockf(f, fcntl.LOCK_UN)\n")
                            + "print('released', flush=True)\n"
                            + "sys.stdin.readline()\n",
                    pidfile.toString())));
        } else {
            skipUnless(false, "the backend conflicts with neither lock family, so no foreign holder keeps it out");
            throw new AssertionError("unreachable");
        }
        assertEquals("held", c.nextLine(), c::stderr);
        return c;
    }
}
