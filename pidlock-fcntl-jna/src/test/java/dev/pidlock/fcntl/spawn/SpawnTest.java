package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Spawn#spawn}, {@link Spawn#waitFor} and {@link Spawn#kill} against real children, checked through
 * {@code /proc}. {@code posix_spawnp} returns after the child has exec'd the command (glibc spawns with
 * {@code CLONE_VFORK}), so the child's descriptors and signal state are final when the test looks.
 */
class SpawnTest {
    private static final Spawn.Stream INHERIT = new Spawn.Inherit();
    private static final Spawn.Stream NULL = new Spawn.DevNull();
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    @TempDir
    Path dir;

    private final List<Integer> openFds = new ArrayList<>();
    private final List<Long> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws IOException {
        for (long pid : children) {
            if (Spawn.kill(pid, SIGKILL)) {
                Spawn.waitFor(pid);
            }
        }
        for (int fd : openFds) {
            ProcFs.close(fd);
        }
    }

    private static Spawn.Request request(List<String> argv, OptionalInt lockFd, Spawn.Stream in, Spawn.Stream out,
                                         Spawn.Stream err, boolean newSession) {
        return new Spawn.Request(argv, System.getenv(), lockFd, in, out, err, newSession);
    }

    private long spawn(Spawn.Request request, boolean procFdFallback) throws SpawnException {
        long pid = PosixSpawn.spawn(request, procFdFallback);
        children.add(pid);
        return pid;
    }

    private int inheritable(String name) {
        int fd = ProcFs.openInheritable(dir.resolve(name));
        openFds.add(fd);
        return fd;
    }

    /** Kills the child and reaps it. */
    private void finish(long pid) throws IOException {
        assertTrue(Spawn.kill(pid, SIGKILL));
        assertEquals(128 + SIGKILL, Spawn.waitFor(pid));
        children.remove(pid);
    }

    @ParameterizedTest(name = "procFdFallback={0}")
    @ValueSource(booleans = {false, true})
    void onlyStdioAndTheLockDescriptorUnderItsOwnNumberReachTheCommand(boolean procFdFallback) throws IOException {
        int below = inheritable("below");
        int lockFile = inheritable("pidfile");
        int lock = ProcFs.dupAtLeast(lockFile, 100); // descriptors open below and above it, all inheritable
        openFds.add(lock);
        int above = ProcFs.dupAtLeast(below, 200);
        openFds.add(above);
        for (int fd : List.of(below, lockFile, lock, above)) {
            assertTrue(ProcFs.inheritable(fd), fd + " would reach an exec'd child by itself");
        }

        long pid = spawn(request(List.of("sleep", "60"), OptionalInt.of(lock), INHERIT, INHERIT, INHERIT, false),
                procFdFallback);
        ProcFs.awaitSleeping(pid, "sleep");
        assertEquals(Set.of(0, 1, 2, lock), ProcFs.fds(pid), "descriptors of the command");
        assertEquals(dir.resolve("pidfile").toRealPath().toString(), ProcFs.target(pid, lock));
        long self = ProcessHandle.current().pid();
        for (int fd = 0; fd < 3; fd++) {
            assertEquals(ProcFs.target(self, fd), ProcFs.target(pid, fd), "inherited fd " + fd);
        }
        assertTrue(ProcFs.inheritable(lock), "the JVM's lock descriptor is left as it was");
        finish(pid);
    }

    @Test
    void withoutALockDescriptorOnlyStdio() throws IOException {
        inheritable("stray");
        long pid = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), INHERIT, INHERIT, INHERIT, false), false);
        ProcFs.awaitSleeping(pid, "sleep");
        assertEquals(Set.of(0, 1, 2), ProcFs.fds(pid));
        finish(pid);
    }

    @ParameterizedTest(name = "procFdFallback={0}")
    @ValueSource(booleans = {false, true})
    void theLockDescriptorReachesTheCommandEvenWhenCloseOnExecInTheJvm(boolean procFdFallback) throws IOException {
        int lock = ProcFs.dupAtLeast(inheritable("pidfile"), 50);
        openFds.add(lock);
        assertEquals(0, Libc.fcntl(lock, 2 /* F_SETFD */, ProcFs.FD_CLOEXEC));
        long pid = spawn(request(List.of("sleep", "60"), OptionalInt.of(lock), INHERIT, INHERIT, INHERIT, false),
                procFdFallback);
        ProcFs.awaitSleeping(pid, "sleep");
        assertEquals(Set.of(0, 1, 2, lock), ProcFs.fds(pid));
        finish(pid);
    }

    @Test
    void theCommandKeepsTheLockWhenTheJvmLetsGoOfItsDescriptor() throws IOException, InterruptedException {
        Path pidfile = dir.resolve("held.pid");
        int lock = ProcFs.openInheritable(pidfile);
        assertEquals(0, Libc.flock(lock, Platform.LOCK_EX | Platform.LOCK_NB));
        long pid;
        try {
            pid = spawn(request(List.of("sleep", "60"), OptionalInt.of(lock), NULL, NULL, NULL, false), false);
        } finally {
            ProcFs.close(lock); // as if the wrapper died: only the command's copy of the descriptor is left
        }
        assertEquals(1, flockProbe(pidfile), "the command holds the lock through the inherited descriptor");
        finish(pid);
        assertEquals(0, flockProbe(pidfile), "the command's death frees the lock");
    }

    /** @return util-linux flock(1)'s exit status: 0 when it got the lock at once, 1 when held */
    private static int flockProbe(Path file) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("flock", "-n", "-x", file.toString(), "true").start();
        assertTrue(probe.waitFor(30, TimeUnit.SECONDS));
        return probe.exitValue();
    }

    @Test
    void emptySignalMaskAndNothingIgnoredEvenWhenTheSpawningThreadBlocksAndIgnores() throws IOException {
        // Java threads block SIGQUIT (HotSpot); ignore SIGTTOU in the JVM for the duration, as nohup would SIGHUP
        assertNotEquals(0L, Long.parseLong(ProcFs.status("thread-self", "SigBlk"), 16),
                "this thread should block something (SIGQUIT), or the test proves nothing");
        int sigttou = 22;
        try (Memory ignore = new Memory(256); Memory saved = new Memory(256)) {
            ignore.clear();
            ignore.setLong(0, 1); // SIG_IGN
            assertEquals(0, TestLibc.sigaction(sigttou, ignore, saved));
            try {
                assertNotEquals(0L, Long.parseLong(ProcFs.status("self", "SigIgn"), 16));
                long pid = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), INHERIT, INHERIT, INHERIT,
                        false), false);
                ProcFs.awaitSleeping(pid, "sleep");
                assertEquals("0000000000000000", ProcFs.status(Long.toString(pid), "SigBlk"));
                assertEquals("0000000000000000", ProcFs.status(Long.toString(pid), "SigIgn"));
                finish(pid);
            } finally {
                TestLibc.sigaction(sigttou, saved, null);
            }
        }
    }

    @Test
    void newSessionMakesTheCommandASessionLeader() throws IOException {
        long self = ProcessHandle.current().pid();
        long detached = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), NULL, NULL, NULL, true), false);
        ProcFs.awaitSleeping(detached, "sleep");
        assertEquals(detached, ProcFs.session(detached));
        assertNotEquals(ProcFs.session(self), ProcFs.session(detached));
        assertEquals(detached, ProcFs.statField(detached, 5), "its own process group too");

        long attached = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), NULL, NULL, NULL, false), false);
        ProcFs.awaitSleeping(attached, "sleep");
        assertEquals(ProcFs.session(self), ProcFs.session(attached));
        finish(detached);
        finish(attached);
    }

    @Test
    void streamsFromDevNullAndAppendedToFiles() throws IOException {
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        Files.writeString(out, "before\n");
        long pid = spawn(request(List.of("/bin/sh", "-c", "cat; echo after; echo oops >&2; exec sleep 60"),
                OptionalInt.empty(), NULL, new Spawn.AppendTo(out), new Spawn.AppendTo(err), false), false);
        ProcFs.awaitSleeping(pid, "sleep");
        assertEquals("/dev/null", ProcFs.target(pid, 0));
        assertEquals(out.toRealPath().toString(), ProcFs.target(pid, 1));
        waitForContent(err, "oops\n");
        assertEquals("before\nafter\n", Files.readString(out), "cat read EOF from /dev/null; output appended");
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(err);
        assertFalse(perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)
                || perms.contains(PosixFilePermission.OWNER_EXECUTE), "created 0644 (less the umask): " + perms);
        assertTrue(perms.contains(PosixFilePermission.OWNER_WRITE));
        finish(pid);

        long quiet = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), NULL, NULL, NULL, false), false);
        ProcFs.awaitSleeping(quiet, "sleep");
        for (int fd = 0; fd < 3; fd++) {
            assertEquals("/dev/null", ProcFs.target(quiet, fd));
        }
        assertEquals(Set.of(0, 1, 2), ProcFs.fds(quiet));
        finish(quiet);
    }

    @Test
    void anOutputFileThatCannotBeOpenedIsNamed() {
        Path missing = dir.resolve("no-such-dir").resolve("out.log");
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(request(List.of("true"),
                OptionalInt.empty(), NULL, new Spawn.AppendTo(missing), NULL, false), false));
        assertEquals("ENOENT", e.errnoName());
        assertEquals(missing + ": no such file or directory (open for the stdout of true: ENOENT)", e.getMessage());
    }

    @Test
    void theCommandGetsExactlyTheGivenEnvironment() throws IOException {
        Path out = dir.resolve("env.txt");
        long pid = spawn(new Spawn.Request(List.of("/usr/bin/env"), Map.of("PIDLOCK_A", "one two", "B", "x=y"),
                OptionalInt.empty(), NULL, new Spawn.AppendTo(out), NULL, false), false);
        children.remove(pid);
        assertEquals(0, Spawn.waitFor(pid));
        assertEquals(new TreeSet<>(List.of("B=x=y", "PIDLOCK_A=one two")),
                new TreeSet<>(Files.readAllLines(out, StandardCharsets.UTF_8)));
    }

    @Test
    void waitForGivesTheExitStatusOr128PlusTheSignal() throws IOException {
        long seven = PosixSpawn.spawn(request(List.of("/bin/sh", "-c", "exit 7"), OptionalInt.empty(), NULL, NULL,
                NULL, false));
        assertEquals(7, Spawn.waitFor(seven));
        long zero = PosixSpawn.spawn(request(List.of("true"), OptionalInt.empty(), NULL, NULL, NULL, false));
        assertEquals(0, Spawn.waitFor(zero));
        long self = PosixSpawn.spawn(request(List.of("/bin/sh", "-c", "kill -USR1 $$; sleep 10"),
                OptionalInt.empty(), NULL, NULL, NULL, false));
        assertEquals(128 + 10, Spawn.waitFor(self));

        long sleeper = spawn(request(List.of("sleep", "60"), OptionalInt.empty(), NULL, NULL, NULL, false), false);
        ProcFs.awaitSleeping(sleeper, "sleep");
        assertTrue(Spawn.kill(sleeper, Spawn.signalNumber("TERM")));
        assertEquals(128 + SIGTERM, Spawn.waitFor(sleeper));
        children.remove(sleeper);

        IOException notMine = assertThrows(IOException.class, () -> Spawn.waitFor(sleeper));
        assertTrue(notMine.getMessage().contains("ECHILD"), notMine.getMessage());
    }

    @Test
    void commandNotFoundIsOneLineNamingTheCommandTheCallAndTheErrno() {
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(request(
                List.of("pidlock-no-such-command", "x"), OptionalInt.empty(), NULL, NULL, NULL, false), false));
        assertEquals("ENOENT", e.errnoName());
        assertEquals("pidlock-no-such-command: command not found (posix_spawnp: ENOENT)", e.getMessage());
    }

    @Test
    void notExecutableIsPermissionDenied() throws IOException {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(request(List.of(script.toString()),
                OptionalInt.empty(), NULL, NULL, NULL, false), false));
        assertEquals("EACCES", e.errnoName());
        assertEquals(script + ": permission denied (posix_spawnp: EACCES)", e.getMessage());
    }

    @Test
    void aLockDescriptorThatIsNotOpenIsRefused() {
        int closed = ProcFs.dupAtLeast(inheritable("x"), 300);
        ProcFs.close(closed);
        SpawnException e = assertThrows(SpawnException.class, () -> spawn(request(List.of("true"),
                OptionalInt.of(closed), NULL, NULL, NULL, false), false));
        assertEquals("true: cannot pass lock descriptor " + closed + " (fcntl(F_GETFD): EBADF)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> spawn(request(List.of("true"), OptionalInt.of(1), NULL,
                NULL, NULL, false), false));
    }

    @Test
    void killOfAGoneProcessIsFalseAndPidOneOrLessIsNeverSignalled() throws IOException {
        long pid = PosixSpawn.spawn(request(List.of("true"), OptionalInt.empty(), NULL, NULL, NULL, false));
        assertEquals(0, Spawn.waitFor(pid));
        assertFalse(Spawn.kill(pid, SIGTERM), "reaped: no such process");
        assertFalse(Spawn.kill(pid, 0));
        for (long never : List.of(1L, 0L, -1L, -1234L)) {
            assertThrows(IllegalArgumentException.class, () -> Spawn.kill(never, SIGTERM), "pid " + never);
        }
        assertThrows(IllegalArgumentException.class, () -> Spawn.kill(pid, 65));
    }

    @Test
    void killThatIsNotPermittedSaysSo() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name"))
                || "0".equals(ProcFs.status("self", "Uid").split("\\s+")[1]), "root may signal anything");
        // a process of another user: init's children, for example; pid 1 itself is refused before asking
        long other = ProcessHandle.allProcesses().filter(h -> h.pid() > 1)
                .filter(h -> h.info().user().map(u -> !u.equals(System.getProperty("user.name"))).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        org.junit.jupiter.api.Assumptions.assumeTrue(other > 1, "no process of another user");
        IOException e = assertThrows(IOException.class, () -> Spawn.kill(other, 0));
        assertEquals("kill(" + other + ", 0): EPERM (Operation not permitted)", e.getMessage());
    }

    private static void waitForContent(Path file, String expected) throws IOException {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(file) && Files.readString(file).equals(expected)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertEquals(expected, Files.exists(file) ? Files.readString(file) : "(no file)");
    }
}
