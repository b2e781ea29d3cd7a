package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.AlreadyRunningException;
import dev.pidlock.BackendInfo;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.UnsafePidFileException;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link dev.pidlock.spi.LockBackend} must show, tested with real child JVMs. A backend
 * module subclasses this and names its backend id:
 *
 * <pre>{@code
 * class NioBackendTest extends LockBackendContract {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * @since 0.1
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class LockBackendContract {

    /** A fresh directory per test for pidfiles. */
    @TempDir
    protected Path dir;

    /** The pidfile of the test, in {@link #dir}. */
    protected Path pidfile;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    /** For subclasses, which name the backend. */
    protected LockBackendContract() {
    }

    /** @return the id of the backend under test */
    protected abstract String backendId();

    /** Creates the pidfile path. */
    @BeforeEach
    void preparePidfile() {
        pidfile = dir.resolve("contract.pid");
    }

    /**
     * Kills children and releases locks a test left behind.
     *
     * @throws Exception when cleaning up fails
     */
    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    /** @return a builder for the test's pidfile with the backend under test */
    protected PidLock.Builder lock() {
        return PidLock.at(pidfile).backend(backendId());
    }

    /**
     * Starts a child JVM that acquires the test's pidfile and says how it went.
     *
     * @param options extra {@link LockChild} options
     * @return the child, closed (killed) after the test
     * @throws IOException when it cannot start
     */
    protected ChildProcess child(String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("acquire", pidfile.toString(), backendId()));
        args.addAll(List.of(options));
        ChildProcess c = ChildProcess.lockChild(args.toArray(String[]::new));
        cleanup.add(c);
        return c;
    }

    /**
     * Starts a child that holds the test's pidfile.
     *
     * @return the child, which holds the lock
     * @throws IOException when it cannot start
     */
    protected ChildProcess holder() throws IOException {
        ChildProcess c = child();
        assertEquals("ACQUIRED " + c.pid(), c.nextLine());
        return c;
    }

    /**
     * A process that is not a JVM and lives until the test ends ({@code sleep}).
     *
     * @return the process
     * @throws IOException when it cannot start
     */
    protected Process bystander() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        cleanup.add(p::destroyForcibly);
        return p;
    }

    private PidLock track(PidLock lock) {
        cleanup.add(lock);
        return lock;
    }

    /**
     * Reads the pidfile from another process ({@code cat}): opening and closing it in this JVM would drop a
     * POSIX lock this JVM holds on it, which is the very pitfall pidlock guards against.
     */
    private String content() throws IOException {
        Process cat = new ProcessBuilder("cat", pidfile.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(0, cat.waitFor(), out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    // ---- the backend itself ----

    /** The backend is found, available, and listed by {@link PidLock#backends()}. */
    @Test
    void backendIsFoundAndAvailable() {
        Optional<BackendInfo> info = PidLock.backends().stream().filter(b -> b.id().equals(backendId())).findFirst();
        assertTrue(info.isPresent(), "backend " + backendId() + " not found among " + PidLock.backends());
        assertTrue(info.get().available(), "backend " + backendId() + " unavailable: " + info.get().cause());
    }

    /**
     * A child JVM with everything on the class path finds the backend through {@code META-INF/services}.
     *
     * @throws IOException when the child cannot start
     */
    @Test
    void backendIsFoundOnTheClassPath() throws IOException {
        try (ChildProcess c = ChildProcess.lockChild("backends")) {
            assertEquals(0, c.waitFor(), c.stderr());
            List<String> seen = c.remainingLines();
            assertTrue(seen.stream().anyMatch(l -> l.startsWith("BACKEND " + backendId() + " true ")),
                    "child did not find " + backendId() + " available: " + seen);
        }
    }

    // ---- exclusion ----

    /**
     * While a child holds the lock, neither another child nor this JVM can take it; once it releases, they can.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void twoProcessesNeverBothHold() throws IOException {
        ChildProcess a = holder();
        assertEquals(a.pid() + "\n", content());

        ChildProcess b = child();
        assertEquals("CONFLICT locked " + a.pid(), b.nextLine().substring(0, ("CONFLICT locked " + a.pid()).length()));

        AlreadyLockedException here = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(a.pid(), here.holderPid().orElseThrow());
        assertFalse(here.heldByThisProcess());
        assertTrue(here.getMessage().contains(pidfile.toString()), here.getMessage());
        assertTrue(lock().tryAcquire().isEmpty());

        a.send("release");
        a.expect("RELEASED");
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "release must delete the pidfile");
        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
            ChildProcess c = child();
            String line = c.nextLine();
            assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);
        }
    }

    /**
     * A holder killed with SIGKILL leaves its pidfile behind, but the lock is free at once: the next acquirer
     * takes the stale file over without waiting.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void holderKilledWithSigkillIsReplacedAtOnce() throws IOException {
        ChildProcess a = holder();
        a.kill();
        assertEquals(a.pid() + "\n", content(), "SIGKILL leaves the file with the dead pid");
        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.STALE, status.state(), status.toString());

        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * A child that exits normally, or on SIGTERM, releases through the shutdown hook and removes its file.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void normalExitAndSigtermReleaseAndDelete() throws IOException {
        ChildProcess a = holder();
        a.send("exit 0");
        assertEquals(0, a.waitFor());
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "exit must delete the pidfile");

        ChildProcess b = holder();
        b.signal("TERM");
        b.waitFor();
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "SIGTERM must delete the pidfile");
    }

    /**
     * Inspecting a pidfile another process holds names that process and does not disturb the lock. A backend
     * that can probe without acquiring reports the lock as held; one that cannot says it does not know.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void inspectNamesTheHolderWithoutTakingTheLock() throws IOException {
        ChildProcess a = holder();
        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
        assertEquals(a.pid(), status.pid().orElseThrow(), status.toString());
        boolean probes = capabilities().contains(Capability.PROBE_WITHOUT_ACQUIRING);
        assertEquals(probes ? PidFileStatus.LockState.LOCKED : PidFileStatus.LockState.UNKNOWN, status.lock(),
                status.toString());
        assertTrue(status.process().isPresent() && status.process().get().alive(), status.toString());

        ChildProcess b = child();
        assertTrue(b.nextLine().startsWith("CONFLICT locked " + a.pid() + " "), "inspection must not free the lock");
        a.send("release");
        a.expect("RELEASED");
        assertEquals(PidFileStatus.State.ABSENT, lock().inspect().state());
    }

    /** @return the capabilities the backend under test declares */
    protected java.util.Set<Capability> capabilities() {
        return PidLock.backends().stream().filter(b -> b.id().equals(backendId())).findFirst()
                .map(BackendInfo::capabilities).orElseThrow();
    }

    // ---- stale decisions ----

    /**
     * An unlocked file naming a live process that started after the file was written names a reused pid:
     * taken over.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void liveProcessYoungerThanTheFileIsAReusedPidAndTakenOver() throws IOException {
        Process younger = bystander();
        Files.writeString(pidfile, younger.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
        assertTrue(younger.isAlive(), "the unrelated process is left alone");
    }

    /**
     * An unlocked file naming a live process that may have written it (started before the file) is respected:
     * already running, with its pid; nothing is changed.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void liveOlderProcessInUnlockedFileIsAlreadyRunning() throws IOException {
        Process older = bystander();
        Files.writeString(pidfile, older.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plus(Duration.ofMinutes(1))));

        AlreadyRunningException e = assertThrows(AlreadyRunningException.class, () -> lock().acquire());
        assertEquals(older.pid(), e.pid());
        assertTrue(e.getMessage().contains(Long.toString(older.pid())), e.getMessage());
        assertTrue(lock().tryAcquire().isEmpty());
        assertEquals(older.pid() + "\n", content(), "the file of a running process is not touched");

        ChildProcess c = child();
        assertTrue(c.nextLine().startsWith("CONFLICT running " + older.pid()));
        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
    }

    /**
     * Garbage, empty, pid 0 and 1 and out-of-range pids name no holder: taken over.
     *
     * @throws IOException when the file cannot be written
     */
    @Test
    void garbageContentIsTakenOver() throws IOException {
        List<byte[]> contents = List.of("garbage\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1),
                new byte[0], "0\n".getBytes(StandardCharsets.US_ASCII), "1\n".getBytes(StandardCharsets.US_ASCII),
                "-7\n".getBytes(StandardCharsets.US_ASCII), "99999999999999999999\n".getBytes(StandardCharsets.US_ASCII),
                new byte[100_000]);
        for (byte[] bytes : contents) {
            Files.write(pidfile, bytes);
            try (PidLock mine = lock().acquire()) {
                assertEquals(ProcessHandle.current().pid() + "\n", content());
            }
        }
    }

    // ---- unsafe paths ----

    /**
     * A symlink at the pidfile path is refused, whether it points to a file or nowhere, and its target is
     * neither created nor changed.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void symlinkAtThePathIsRefusedAndItsTargetUntouched() throws IOException {
        Path target = dir.resolve("precious.txt");
        Files.writeString(target, "precious");
        Files.setLastModifiedTime(target, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        Files.createSymbolicLink(pidfile, target);

        UnsafePidFileException e = assertThrows(UnsafePidFileException.class, () -> lock().acquire());
        assertTrue(e.getMessage().contains(pidfile.toString()) && e.getMessage().contains("symbolic link"),
                e.getMessage());
        assertEquals("precious", Files.readString(target));
        assertEquals(FileTime.from(Instant.parse("2020-01-01T00:00:00Z")), Files.getLastModifiedTime(target));
        assertTrue(Files.isSymbolicLink(pidfile));

        Files.delete(pidfile);
        Path nowhere = dir.resolve("nowhere.pid");
        Files.createSymbolicLink(pidfile, nowhere);
        assertThrows(UnsafePidFileException.class, () -> lock().acquire());
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS), "a dangling symlink's target is not created");
        assertEquals(PidFileStatus.State.UNKNOWN, lock().inspect().state());
    }

    /**
     * A directory at the pidfile path is refused with a clear error.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void directoryAtThePathIsRefused() throws IOException {
        Files.createDirectory(pidfile);
        UnsafePidFileException e = assertThrows(UnsafePidFileException.class, () -> lock().acquire());
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
        assertTrue(Files.isDirectory(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A FIFO at the pidfile path is refused without blocking.
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void fifoAtThePathIsRefusedWithoutBlocking() throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", pidfile.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Throwable> f = ex.submit(() -> {
                try {
                    lock().acquire().close();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable t;
            try {
                t = f.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException blocked) {
                fail("acquire blocked on a FIFO");
                return;
            }
            assertTrue(t instanceof UnsafePidFileException, String.valueOf(t));
            assertTrue(t.getMessage().contains("FIFO"), t.getMessage());
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * A world-writable directory without the sticky bit is refused: anybody could replace the pidfile.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void worldWritableDirectoryWithoutStickyBitIsRefused() throws IOException {
        Path open = dir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        UnsafePidFileException e = assertThrows(UnsafePidFileException.class,
                () -> PidLock.at(open.resolve("x.pid")).backend(backendId()).acquire());
        assertTrue(e.getMessage().contains("world-writable"), e.getMessage());
        assertFalse(Files.exists(open.resolve("x.pid")));
    }

    // ---- the file ----

    /**
     * The pidfile is mode 0644 whatever the umask of the acquirer (077 and 000 here).
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void fileIsMode0644UnderUmask077And000() throws IOException {
        for (String umask : List.of("077", "000")) {
            try (ChildProcess c = ChildProcess.lockChildWithUmask(umask, "acquire", pidfile.toString(), backendId())) {
                assertEquals("ACQUIRED " + c.pid(), c.nextLine());
                assertEquals("rw-r--r--", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(pidfile, LinkOption.NOFOLLOW_LINKS)), "under umask " + umask);
                c.send("release");
                c.expect("RELEASED");
            }
        }
    }

    /**
     * Releasing twice, or closing after the shutdown hook ran, does nothing the second time.
     */
    @Test
    void releaseHappensExactlyOnce() {
        PidLock mine = lock().acquire();
        assertTrue(mine.isHeld());
        mine.close();
        assertFalse(mine.isHeld());
        mine.close();
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
        try (PidLock again = lock().acquire()) {
            assertTrue(again.isHeld());
        }
    }

    // ---- one JVM ----

    /**
     * A second acquisition of a file this JVM holds is refused as held by this process, and neither it nor
     * an inspection drops the lock (checked from another process).
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void secondAcquireInTheSameJvmIsRefusedAndKeepsTheLock() throws IOException {
        PidLock mine = track(lock().acquire());
        long self = ProcessHandle.current().pid();

        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertTrue(e.heldByThisProcess());
        assertEquals(self, e.holderPid().orElseThrow());
        assertTrue(lock().tryAcquire().isEmpty());

        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.RUNNING, status.state());
        assertEquals(self, status.pid().orElseThrow());

        ChildProcess c = child();
        assertTrue(c.nextLine().startsWith("CONFLICT locked " + self), "the lock must survive in this JVM");
        assertTrue(mine.isHeld());
    }

    /**
     * With re-entry allowed, a second acquisition is counted and the last release gives the lock up.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void reentryIsCountedWhenAllowed() throws IOException {
        PidLock outer = track(lock().reentrant(true).acquire());
        PidLock inner = lock().reentrant(true).acquire();
        inner.close();
        assertTrue(Files.exists(pidfile));
        ChildProcess c = child();
        assertTrue(c.nextLine().startsWith("CONFLICT locked"), "the outer hold keeps the lock");
        outer.close();
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    // ---- waiting ----

    /**
     * A waiting acquirer gets the lock once the holder releases.
     *
     * @throws Exception when the wait fails
     */
    @Test
    void waitingAcquirerGetsTheLockWhenTheHolderReleases() throws Exception {
        ChildProcess a = holder();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<PidLock> waiter = ex.submit(() -> lock().acquire(ChildProcess.PATIENCE));
            assertThrows(TimeoutException.class, () -> waiter.get(300, TimeUnit.MILLISECONDS),
                    "the waiter must not get the lock while the child holds it");
            a.send("release");
            a.expect("RELEASED");
            try (PidLock mine = waiter.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                assertEquals(ProcessHandle.current().pid() + "\n", content());
            }
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * The unlink race: a waiter blocked on the old inode must not keep it once the path names another file.
     * Here the path is replaced by a fresh file while the child holds the old one; when the child releases,
     * the waiter locks the old, unlinked inode, sees that the path names another file, and starts over on
     * the new one. Its pid must end up in the file the path names, and that file must be locked.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void waiterOnAReplacedFileStartsOverOnTheNewOne() throws Exception {
        ChildProcess a = holder();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<PidLock> waiter = ex.submit(() -> lock().acquire(ChildProcess.PATIENCE));
            assertThrows(TimeoutException.class, () -> waiter.get(500, TimeUnit.MILLISECONDS));
            Path fresh = dir.resolve("fresh.tmp");
            Files.write(fresh, new byte[0]);
            Files.move(fresh, pidfile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            a.send("release");
            a.expect("RELEASED");
            try (PidLock mine = waiter.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                assertEquals(ProcessHandle.current().pid() + "\n", content(),
                        "the waiter must hold (and write) the file the path names");
                ChildProcess c = child();
                String line = c.nextLine();
                assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);
            }
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * A wait that times out reports the holder's pid; a child waiting for a killed holder gets the lock.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void waitTimesOutNamingTheHolderAndEndsWhenTheHolderDies() throws Exception {
        ChildProcess a = holder();
        AlreadyLockedException e = assertThrows(AlreadyLockedException.class,
                () -> lock().acquire(Duration.ofMillis(200)));
        assertEquals(a.pid(), e.holderPid().orElseThrow(), e.getMessage());

        ChildProcess b = child("wait=60000");
        a.kill();
        assertEquals("ACQUIRED " + b.pid(), b.nextLine());
    }

    /**
     * Interrupting a waiting thread ends its wait with {@link InterruptedException}, and leaves no claim behind.
     *
     * @throws Exception when a child cannot start
     */
    @Test
    void interruptingAWaitEndsIt() throws Exception {
        ChildProcess a = holder();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<PidLock> waiter = ex.submit(() -> lock().acquire(ChildProcess.PATIENCE));
            assertThrows(TimeoutException.class, () -> waiter.get(300, TimeUnit.MILLISECONDS));
            waiter.cancel(true);
            ex.shutdown();
            assertTrue(ex.awaitTermination(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS));
            a.send("release");
            a.expect("RELEASED");
            try (PidLock mine = lock().acquire()) {
                assertTrue(mine.isHeld());
            }
        } finally {
            ex.shutdownNow();
        }
    }

    // ---- acquire or exit ----

    /**
     * {@code acquireOrExit} prints one line naming the holder's pid to stderr and exits with status 1.
     *
     * @throws IOException when a child cannot start
     * @throws ExecutionException never
     */
    @Test
    void acquireOrExitPrintsOneLineAndExitsOne() throws IOException, ExecutionException {
        ChildProcess a = holder();
        ChildProcess b = child("or-exit");
        assertEquals(1, b.waitFor());
        String err = b.stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(Long.toString(a.pid())), err);
    }
}
