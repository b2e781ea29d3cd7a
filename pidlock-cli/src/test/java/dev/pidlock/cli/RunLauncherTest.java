package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.awaitPid;
import static dev.pidlock.cli.Launcher.awaitPidfileNames;
import static dev.pidlock.cli.Launcher.pidIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pidlock run}, from the built launcher: the first row of PRODUCT.md §6. */
class RunLauncherTest {

    /** A command that writes its pid into $1, then becomes {@code sleep 30} (same pid). */
    static final String HOLD = "echo $$ > \"$1\"; exec sleep 30";

    @TempDir
    Path dir;

    Launcher pidlock;
    Path pidfile;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
        pidfile = dir.resolve("app.pid");
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    /** @return the launcher arguments {@code run --pidfile P OPTIONS -- sh -c HOLD sh MARKER} */
    private String[] runHolding(Path marker, String... options) {
        List<String> a = new ArrayList<>(List.of("run", "--pidfile", pidfile.toString()));
        a.addAll(List.of(options));
        a.addAll(List.of("--", "sh", "-c", HOLD, "sh", marker.toString()));
        return a.toArray(String[]::new);
    }

    @Test
    void thePidfileNamesTheCommandAndSigkillOfTheCommandFreesTheLock() {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(runHolding(marker));
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);
        assertNotEquals(run.pid(), command, "the command is its own process");
        assertEquals(run.pid(), Procs.ppid(command), "the wrapper is the command's parent");
        assertEquals("sleep", Procs.comm(command));

        Procs.signal(command, "KILL");
        run.await().exits(128 + 9);
        assertFalse(Files.exists(pidfile), "the wrapper removes the pidfile after the command");
        Launcher.Result status = pidlock.run("status", "--pidfile", pidfile.toString()).exits(3);
        assertTrue(status.stdout().contains("status: not running"), status::toString);
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(0);
    }

    @Test
    void exitsWithTheCommandsStatusAndPassesItsOutputOn() {
        Launcher.Result r = pidlock.run("run", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "echo out; echo err >&2; exit 7").exits(7);
        assertEquals(List.of("out"), r.stdoutLines(), r::toString);
        assertEquals(List.of("err"), r.stderrLines(), r::toString);
        assertFalse(Files.exists(pidfile), "the pidfile is removed afterwards");

        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "sh", "-c", "kill -TERM $$").exits(128 + 15);
        assertFalse(Files.exists(pidfile), "the pidfile is removed afterwards");
    }

    @Test
    void aSecondRunIsRefusedWhileTheFirstHoldsTheLock() {
        Path marker = dir.resolve("pid");
        String[] name = {"--name", "svc", "--dir", dir.toString()};
        Launcher.Launched first = pidlock.start("run", name[0], name[1], name[2], name[3], "--",
                "sh", "-c", HOLD, "sh", marker.toString());
        long command = awaitPid(marker);
        pidlock.killLater(command);
        Path svc = dir.resolve("svc.pid");
        awaitPidfileNames(svc, command);

        Launcher.Result second = pidlock.run("run", name[0], name[1], name[2], name[3], "--", "true").exits(1);
        String line = second.oneErrorLine(svc.toString());
        Launcher.Result third = pidlock.run("run", name[0], name[1], name[2], name[3], "--conflict-exit-code", "9",
                "--", "true").exits(9);
        third.oneErrorLine(svc.toString());
        assertTrue(first.alive(), "the first run goes on");
        assertEquals(OptionalLong.of(command), pidIn(svc), "the refused runs leave the pidfile alone");
        assertTrue(line.contains("pid " + command), () -> "the refusal names the command's pid " + command
                + " (the pidfile's), not the wrapper's " + first.pid() + ": " + second);
    }

    @Test
    void runWithWaitGetsTheLockOnceTheFirstEnds() throws IOException, InterruptedException {
        Path marker = dir.resolve("pid");
        Path go = dir.resolve("go");
        Launcher.Launched first = pidlock.start("run", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "echo $$ > \"$1\"; while [ ! -e \"$2\" ]; do sleep 0.05; done", "sh",
                marker.toString(), go.toString());
        awaitPidfileNames(pidfile, awaitPid(marker));

        Path marker2 = dir.resolve("pid2");
        Launcher.Launched second = pidlock.start("run", "--wait", "30s", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "echo $$ > \"$1\"", "sh", marker2.toString());
        Thread.sleep(1000); // time for the second to reach its wait; the test holds without it, only weaker
        assertTrue(second.alive(), () -> "the second run waits while the first holds: " + second);
        assertFalse(Files.exists(marker2), "the second command has not run");

        Files.createFile(go);
        first.await().exits(0);
        second.await().exits(0);
        assertTrue(pidIn(marker2).isPresent(), "the second command ran");
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void keepFileLeavesThePidfile() {
        Path marker = dir.resolve("pid");
        pidlock.run("run", "--keep-file", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "echo $$ > \"$1\"", "sh", marker.toString()).exits(0);
        assertTrue(Files.exists(pidfile), "--keep-file keeps the pidfile");
        assertEquals(pidIn(marker), pidIn(pidfile), "it names the command, which has exited");
        Launcher.Result status = pidlock.run("status", "--pidfile", pidfile.toString()).exits(1);
        assertTrue(status.stdout().contains("status: dead"), status::toString);
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(0);
        assertFalse(Files.exists(pidfile), "without --keep-file the next run clears it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    void aSignalToTheWrapperIsPassedOnToTheCommand(String signal) throws IOException {
        Path ready = dir.resolve("pid");
        Path got = dir.resolve("got");
        // under setsid: with a controlling terminal (a build run from one), INT and HUP are the terminal's to send
        Launcher.Launched run = pidlock.start(null, List.of("setsid"), "run", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "trap 'echo got > \"$2\"; exit 0' " + signal + "; echo $$ > \"$1\"; while :; do sleep 0.1; done",
                "sh", ready.toString(), got.toString());
        long command = awaitPid(ready);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);

        Procs.signal(run.pid(), signal);
        run.await().exits(0);
        assertEquals("got", Files.readString(got).trim(), "the command's trap ran");
        assertFalse(Procs.alive(command));
        assertFalse(Files.exists(pidfile), "the wrapper removes the pidfile");
    }

    @Test
    void sigkillOfTheWrapperLeavesTheCommandRunningWithTheLock() {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(runHolding(marker));
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);

        Procs.signal(run.pid(), "KILL");
        assertEquals(128 + 9, run.await().exit());
        assertTrue(Procs.alive(command), "the command outlives its wrapper");
        assertEquals(OptionalLong.of(command), pidIn(pidfile), "the pidfile still names it");

        Launcher.Result refused = pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(1);
        String line = refused.oneErrorLine(pidfile.toString());
        Launcher.Result status = pidlock.run("status", "--pidfile", pidfile.toString()).exits(0);
        Launcher.Result json = pidlock.run("status", "--json", "--pidfile", pidfile.toString()).exits(0);
        assertEquals(Boolean.TRUE, Json.object(Json.parse(json.stdout())).get("locked"),
                () -> "the command holds the lock, not only a pidfile naming it: " + json);
        assertTrue(Procs.alive(command));
        assertTrue(line.contains("pid " + command) && status.stdout().contains("pid: " + command + ","),
                () -> "refusal and status name the command " + command + ", not the dead wrapper " + run.pid()
                        + ":\n" + refused + "\n" + status);
    }

    @Test
    void theCommandGetsOnlyStdioAndTheLockWithAnEmptySignalMaskAndDefaultDispositions() throws IOException {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(runHolding(marker));
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);

        assertOnlyStdioAndTheLock(command, pidfile);
        assertCleanSignals(command);
        assertTrue(run.alive());
    }

    @Test
    void noForkReplacesPidlockWithTheCommand() throws IOException {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(runHolding(marker, "--no-fork"));
        long command = awaitPid(marker);
        assertEquals(run.pid(), command, "the command runs in the process pidlock was started as");
        awaitPidfileNames(pidfile, command);
        // asleep: past its start-up, whose setlocale opens locale files for a moment
        Launcher.await("the exec of sleep, asleep", () -> Procs.sleepAsleep(command));
        assertEquals("1", Procs.status(command, "Threads"), "no JVM thread is left");
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + command + "/exe")).toString().endsWith("/sleep"));
        assertOnlyStdioAndTheLock(command, pidfile);
        assertCleanSignals(command);
        Launcher.Result status = pidlock.run("status", "--pidfile", pidfile.toString()).exits(0);
        assertTrue(status.stdout().contains("pid: " + command + ", status: running"), status::toString);

        Procs.signal(command, "KILL");
        assertEquals(128 + 9, run.await().exit());
        assertTrue(Files.exists(pidfile), "with --no-fork nobody is left to remove the pidfile");
        pidlock.run("status", "--pidfile", pidfile.toString()).exits(1);
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(0);
        assertFalse(Files.exists(pidfile), "the next acquirer clears it");
    }

    /** Asserts that {@code holder}, not the wrapper, holds the lock: status, a second run and the pidfile. */
    private void assertHolds(long holder) {
        assertTrue(Procs.alive(holder), "the child still runs");
        assertTrue(Files.exists(pidfile), "the pidfile stays while the child holds the lock");
        Launcher.Result status = pidlock.run("status", "--pidfile", pidfile.toString()).exits(0);
        assertTrue(status.stdout().contains("pid: " + holder + ", status: running"),
                () -> "status names the child " + holder + ": " + status);
        Launcher.Result second = pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(1);
        String line = second.oneErrorLine(pidfile.toString());
        assertTrue(line.contains("pid " + holder), () -> "the refusal names the child " + holder + ": " + second);
        assertEquals(OptionalLong.of(holder), pidIn(pidfile), "the pidfile names the child that holds the lock");
    }

    @Test
    void aChildTheCommandLeavesBehindKeepsTheLock() {
        Path child = dir.resolve("child");
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "sh", "-c", "sleep 30 & echo $! > \"$1\"", "sh",
                child.toString()).exits(0);
        long sleep = awaitPid(child);
        pidlock.killLater(sleep);
        assertHolds(sleep);

        Procs.signal(sleep, "KILL");
        Launcher.await("the child's end", () -> !Procs.alive(sleep));
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(0);
        assertFalse(Files.exists(pidfile), "the next run takes the lock and removes the pidfile");
    }

    @Test
    void aChildKeepsTheLockWhenTheCommandIsKilled() {
        Path child = dir.resolve("child");
        Path command = dir.resolve("command");
        Launcher.Launched run = pidlock.start("run", "--pidfile", pidfile.toString(), "--", "sh", "-c",
                "sleep 30 & echo $! > \"$1\"; echo $$ > \"$2\"; wait", "sh", child.toString(), command.toString());
        long sleep = awaitPid(child);
        pidlock.killLater(sleep);
        long sh = awaitPid(command);
        awaitPidfileNames(pidfile, sh);

        Procs.signal(sh, "KILL");
        run.await().exits(128 + 9);
        assertHolds(sleep);
    }

    @Test
    void aBackendThatCannotPassItsLockOnIsRefusedWithoutSupervise() {
        Path child = dir.resolve("child");
        Launcher.Result r = pidlock.run("run", "--backend", "posix", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "sleep 30 & echo $! > \"$1\"; wait", "sh", child.toString()).exits(69);
        String line = r.oneErrorLine("posix");
        assertTrue(line.contains("--supervise") && line.contains(pidfile.toString()), r::toString);
        assertFalse(Files.exists(child), "the command was not started");
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void aBackendThatCannotPassItsLockOnSupervisesTheCommandWhenAsked() {
        Launcher.Result r = pidlock.run("run", "--backend", "nio", "--supervise", "--pidfile", pidfile.toString(),
                "--", "sh", "-c", "exit 5").exits(5);
        assertEquals("", r.stderr(), () -> "asked for, so no warning: " + r);
        assertFalse(Files.exists(pidfile));
        pidlock.run("run", "--backend", "nio", "--no-fork", "--pidfile", pidfile.toString(), "--", "true").exits(69)
                .oneErrorLine("nio");
        assertFalse(Files.exists(pidfile));
    }

    /** Asserts that the process has exactly descriptors 0, 1, 2 and one more, on the pidfile. */
    static void assertOnlyStdioAndTheLock(long pid, Path pidfile) throws IOException {
        TreeMap<Integer, String> fds = Procs.fds(pid);
        Map<Integer, String> extra = new TreeMap<>(fds);
        extra.keySet().removeAll(Set.of(0, 1, 2));
        assertTrue(fds.keySet().containsAll(Set.of(0, 1, 2)), () -> "stdio is open: " + fds);
        assertEquals(1, extra.size(), () -> "only the lock besides stdio: " + fds);
        assertEquals(pidfile.toRealPath().toString(), extra.values().iterator().next(),
                () -> "the extra descriptor is the pidfile: " + fds);
    }

    /**
     * Asserts an empty signal mask and no ignored signal (glibc's internal 32 and 33 included). Read from
     * outside: a shell blocks signals while it waits for a child, so the command must be no shell then.
     */
    static void assertCleanSignals(long pid) {
        assertEquals("0000000000000000", Procs.status(pid, "SigBlk"), "blocked signals");
        assertEquals("0000000000000000", Procs.status(pid, "SigIgn"), "ignored signals");
    }

    /**
     * {@code --owner nobody} gives the pidfile to nobody while the command runs (as root); an unknown user is a
     * usage error in one line naming it, and nothing runs.
     *
     * @throws IOException when the owner cannot be read
     */
    @Test
    void ownerGivesThePidfileToTheUserAndAnUnknownOneIsAUsageError() throws IOException {
        Launcher.Result unknown = pidlock.run("run", "--pidfile", pidfile.toString(), "--owner",
                "no-such-user-pidlock:root", "--", "true").exits(ExitCodes.USAGE);
        unknown.oneErrorLine("--owner no-such-user-pidlock:root", "no user \"no-such-user-pidlock\"");
        assertFalse(Files.exists(pidfile), "nothing created");
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(runHolding(marker, "--owner", "nobody:65534"));
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);
        assertEquals("nobody", Files.getOwner(pidfile, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName());
        assertEquals(65534, Files.getAttribute(pidfile, "unix:gid", java.nio.file.LinkOption.NOFOLLOW_LINKS));
        Procs.signal(command, "TERM");
        run.await().exits(128 + 15);
    }
}
