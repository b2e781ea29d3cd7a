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
 * behind.
 *
 * <p>A few steps check that a waiter has <em>not</em> been granted the lock a short while after it started:
 * that is a safety check (a grant would be a double grant), never a measure of speed.
 *
 * @since 0.1
 */
public abstract class WaitingCases extends ContractCase {

    /** How long a waiter is watched for a wrong grant before the test goes on. */
    private static final long WATCH_MILLIS = 300;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected WaitingCases() {
    }

    /** A wait for the test's pidfile on its own thread, for as long as {@link ChildProcess#PATIENCE}. */
    private final class Waiter implements AutoCloseable {
        final CompletableFuture<PidLock> result = new CompletableFuture<>();
        final Thread thread;

        Waiter(boolean interruptedBeforeWaiting) {
            thread = new Thread(() -> {
                if (interruptedBeforeWaiting) {
                    Thread.currentThread().interrupt();
                }
                try {
                    result.complete(lock().acquire(ChildProcess.PATIENCE));
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
}
