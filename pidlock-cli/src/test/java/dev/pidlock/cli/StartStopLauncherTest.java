package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.pidIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pidlock start}, {@code stop} and {@code restart}, from the built launcher: rows 2 to 4 of §6. */
class StartStopLauncherTest {

    /** Ignores SIGTERM and runs until killed. */
    static final String DEAF = "trap '' TERM; while :; do sleep 0.1; done";

    @TempDir
    Path dir;

    Launcher pidlock;
    Path pidfile;
    String p;
    List<Process> ours = new ArrayList<>();

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
        pidfile = dir.resolve("app.pid");
        p = pidfile.toString();
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
        ours.forEach(Process::destroyForcibly);
    }

    /** Starts with {@code pidlock start}, asserts success, and returns the started command's pid. */
    private long start(String... options) {
        List<String> a = new ArrayList<>(List.of("start", "--pidfile", p));
        a.addAll(List.of(options));
        Launcher.Result r = pidlock.run(a.toArray(String[]::new)).exits(0);
        OptionalLong pid = pidIn(pidfile);
        assertTrue(pid.isPresent(), () -> "the pidfile names the command: " + r);
        pidlock.killLater(pid.getAsLong());
        assertEquals(List.of("Started app, pid " + pid.getAsLong() + "."), r.stdoutLines(), r::toString);
        return pid.getAsLong();
    }

    /** Also with backend ofd, whose holder the default backend's probe reads from the pidfile. */
    @ParameterizedTest
    @ValueSource(strings = {"ofd+flock", "ofd"})
    void startDetachesACommandThatKeepsRunningAndStopEndsIt(String backend) throws IOException {
        Path out = Files.writeString(dir.resolve("out"), "before\n");
        long pid = start("--backend", backend, "--stdout", out.toString(), "--", "sh", "-c", "echo up; exec sleep 30");
        assertTrue(Procs.alive(pid));
        assertEquals("sleep", Procs.comm(pid));
        assertEquals(pid, Procs.session(pid), "it leads its own session");
        assertNotEquals(Procs.session(ProcessHandle.current().pid()), Procs.session(pid));
        TreeMap<Integer, String> fds = Procs.fds(pid);
        assertEquals("/dev/null", fds.get(0), () -> "stdin: " + fds);
        assertEquals(out.toRealPath().toString(), fds.get(1), () -> "stdout: " + fds);
        assertEquals("/dev/null", fds.get(2), () -> "stderr: " + fds);
        RunLauncherTest.assertOnlyStdioAndTheLock(pid, pidfile);
        RunLauncherTest.assertCleanSignals(pid);
        Launcher.await("the command's output", () -> Launcher.read(out).equals("before\nup\n"));
        assertEquals(List.of(), Procs.withCommandLineContaining(p), "no pidlock JVM is left behind");

        Launcher.Result again = pidlock.run("start", "--pidfile", p, "--", "sleep", "30").exits(0);
        assertTrue(again.stdout().contains("already running"), again::toString);
        assertEquals(OptionalLong.of(pid), pidIn(pidfile), "the pidfile is untouched");
        assertTrue(again.stdout().contains("pid " + pid), () -> "names the started command, not the gone JVM: "
                + again);
        Launcher.Result status = pidlock.run("status", "--pidfile", p).exits(0);
        assertTrue(status.stdout().startsWith("app -- pid: " + pid + ", status: running, uptime: "), status::toString);

        Launcher.Result stop = pidlock.run("stop", "--pidfile", p).exits(0);
        assertFalse(Procs.alive(pid), () -> "stop ends " + pid + ": " + stop);
        assertTrue(stop.stdout().contains("pid " + pid) && stop.stdout().contains("OK"), stop::toString);
        assertFalse(Files.exists(pidfile), () -> "stop removes the pidfile (its process may be a zombie until"
                + " init reaps it, which holds no lock): " + stop);
        pidlock.run("status", "--pidfile", p).exits(3);
    }

    @Test
    void startOfACommandThatExitsAtOnceReportsItsStatus() {
        Path err = dir.resolve("err");
        Launcher.Result r = pidlock.run("start", "--stderr", err.toString(), "--pidfile", p, "--",
                "sh", "-c", "echo boom >&2; exit 3").exits(3);
        assertTrue(r.stderr().contains("boom"), () -> "the last lines of its stderr: " + r);
        assertTrue(r.stderr().contains("status 3"), r::toString);
        assertFalse(Files.exists(pidfile), "the lock is given back and its pidfile removed");

        Launcher.Result zero = pidlock.run("start", "--pidfile", p, "--", "true").exits(1);
        assertTrue(zero.stderr().contains("status 0"), zero::toString);
        pidlock.run("status", "--pidfile", p).exits(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ofd+flock", "ofd", "flock"})
    void startOfACommandThatForksAndExitsNamesTheChildThatHoldsTheLock(String backend) {
        Path child = dir.resolve("child");
        Launcher.Result r = pidlock.run("start", "--backend", backend, "--pidfile", p, "--",
                "sh", "-c", "sleep 40 & echo $! > \"$1\"; exit 0", "sh", child.toString());
        long sleep = Launcher.awaitPid(child);
        pidlock.killLater(sleep);
        r.exits(0);
        assertEquals(OptionalLong.of(sleep), pidIn(pidfile), () -> "the pidfile names the holder: " + r);
        assertEquals(List.of("Started app, pid " + sleep + "."), r.stdoutLines(), r::toString);
        Launcher.Result status = pidlock.run("status", "--pidfile", p).exits(0);
        assertTrue(status.stdout().startsWith("app -- pid: " + sleep + ", status: running"), status::toString);
        pidlock.run("run", "--pidfile", p, "--", "true").exits(1);
        assertTrue(Procs.alive(sleep));
    }

    @Test
    void startOfACommandWhoseChildrenAllEndWithinTheWindowFails() {
        Launcher.Result r = pidlock.run("start", "--startup-timeout", "3s", "--pidfile", p, "--",
                "sh", "-c", "sleep 0.1 & exit 0").exits(1);
        assertTrue(r.stderr().contains("status 0"), r::toString);
        assertFalse(Files.exists(pidfile), "nobody holds the lock, so its pidfile is removed");
        pidlock.run("status", "--pidfile", p).exits(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ofd+flock", "ofd"})
    void stopOfACommandThatIgnoresTermNeedsForce(String backend) {
        long pid = start("--backend", backend, "--", "sh", "-c", DEAF);

        Launcher.Result soft = pidlock.run("stop", "--timeout", "1s", "--pidfile", p).exits(1);
        assertTrue(soft.stdout().contains("still held"), soft::toString);
        assertTrue(Procs.alive(pid), "stop without --force does not kill");
        assertEquals(OptionalLong.of(pid), pidIn(pidfile));

        Launcher.Result forced = pidlock.run("stop", "--timeout", "1s", "--force", "--pidfile", p).exits(0);
        assertTrue(forced.stdout().contains("KILL"), forced::toString);
        assertFalse(Procs.alive(pid), "--force kills it");
    }

    /** The holders are CMD and its child, which inherited the descriptor: stop signals both. */
    @Test
    void stopSignalsEveryHolderOfTheLockAndReturnsOnceItIsFree() {
        Path grandchild = dir.resolve("grandchild.pid");
        long pid = start("--", "sh", "-c", "sleep 40 & echo $! > " + grandchild + "; wait");
        long other = Launcher.awaitPid(grandchild);
        pidlock.killLater(other);

        Launcher.Result stop = pidlock.run("stop", "--pidfile", p).exits(0);
        assertTrue(stop.stdout().contains("pid " + pid + ", " + other) || stop.stdout().contains("pid " + other
                + ", " + pid), () -> "names both holders: " + stop);
        assertFalse(Procs.alive(pid), stop::toString);
        assertFalse(Procs.alive(other), () -> "the child that inherited the lock is stopped too: " + stop);
        assertFalse(Files.exists(pidfile), () -> "the lock is free, so the pidfile is gone: " + stop);
        pidlock.run("status", "--pidfile", p).exits(3);
    }

    /**
     * CMD's child ignores SIGTERM: CMD exits, but the lock stays held, so stop fails (1) naming the holder left;
     * with --force the holder left gets SIGKILL.
     */
    @Test
    void stopFailsWhileADescendantStillHoldsTheLockAndForceKillsIt() {
        Path grandchild = dir.resolve("grandchild.pid");
        long pid = start("--", "sh", "-c", "(trap '' TERM; exec sleep 40) & echo $! > " + grandchild + "; wait");
        long deaf = Launcher.awaitPid(grandchild);
        pidlock.killLater(deaf);

        Launcher.Result soft = pidlock.run("stop", "--timeout", "1s", "--pidfile", p).exits(1);
        assertTrue(soft.stdout().contains("still held") && soft.stdout().contains("pid " + deaf), soft::toString);
        assertFalse(Procs.alive(pid), soft::toString);
        assertTrue(Procs.alive(deaf), "stop without --force does not kill");
        assertTrue(Files.exists(pidfile));

        Launcher.Result forced = pidlock.run("stop", "--timeout", "500ms", "--force", "--pidfile", p).exits(0);
        assertTrue(forced.stdout().contains("KILL"), forced::toString);
        assertFalse(Procs.alive(deaf), forced::toString);
        assertFalse(Files.exists(pidfile), forced::toString);
    }

    @Test
    void restartOfACommandWithADescendantHolderStartsANewOne() {
        Path grandchild = dir.resolve("grandchild.pid");
        long first = start("--", "sh", "-c", "sleep 40 & echo $! > " + grandchild + "; wait");
        long other = Launcher.awaitPid(grandchild);
        pidlock.killLater(other);

        Launcher.Result r = pidlock.run("restart", "--pidfile", p, "--", "sleep", "30");
        OptionalLong second = pidIn(pidfile);
        second.ifPresent(pidlock::killLater);
        r.exits(0);
        assertFalse(r.stdout().contains("already running"), r::toString);
        assertFalse(Procs.alive(first) || Procs.alive(other), r::toString);
        assertTrue(second.isPresent() && second.getAsLong() != first && Procs.alive(second.getAsLong()),
                () -> "a new process: " + r);
        assertEquals("sleep", Procs.comm(second.getAsLong()));
    }

    /** restart never starts while the old lock is held, and says so. */
    @Test
    void restartWhileTheLockStaysHeldStartsNothingAndSaysSo() {
        long pid = start("--", "sh", "-c", DEAF);
        Launcher.Result r = pidlock.run("restart", "--timeout", "500ms", "--pidfile", p, "--", "sleep", "30").exits(1);
        assertFalse(r.stdout().contains("already running") || r.stdout().contains("Started"), r::toString);
        assertTrue(r.stdout().contains("still held") && r.stderr().contains("not starting"), r::toString);
        assertTrue(Procs.alive(pid));
        assertEquals(OptionalLong.of(pid), pidIn(pidfile));
    }

    @Test
    void stopWhenNothingRunsSucceeds() throws IOException, InterruptedException {
        Launcher.Result absent = pidlock.run("stop", "--pidfile", p).exits(0);
        assertTrue(absent.stdout().contains("not running"), absent::toString);

        Files.writeString(pidfile, exitedPid() + "\n");
        Launcher.Result stale = pidlock.run("stop", "--pidfile", p).exits(0);
        assertTrue(stale.stdout().contains("not running"), stale::toString);
        assertFalse(Files.exists(pidfile), "the stale pidfile is removed");
    }

    @Test
    void stopNeverSignalsAReusedPid() throws IOException {
        Process unrelated = ours(new ProcessBuilder("sleep", "30").start());
        Files.writeString(pidfile, unrelated.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

        Launcher.Result r = pidlock.run("stop", "--pidfile", p).exits(0);
        assertTrue(unrelated.isAlive(), () -> "the unrelated process lives: " + r);
        assertTrue(r.stdout().contains("not running") && r.stdout().contains("reused"), r::toString);
        assertFalse(r.stdout().contains("Stopping"), r::toString);
        assertFalse(Files.exists(pidfile), "its stale pidfile is removed");
    }

    /**
     * The systemd rule: run as root, stop refuses a pidfile owned by an unprivileged user that names a process
     * of somebody else (here root's own), which that user could have written to have root kill it.
     */
    @Test
    void asRootStopRefusesAnUnprivilegedUsersPidfileNamingAnotherUsersProcess() throws IOException,
            InterruptedException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0, "needs root");
        Process rootsProcess = ours(new ProcessBuilder("sleep", "30").start());
        Files.writeString(pidfile, rootsProcess.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plus(1, ChronoUnit.MINUTES)));
        Process chown = new ProcessBuilder("chown", "nobody", p).inheritIO().start();
        assertEquals(0, chown.waitFor());

        Launcher.Result r = pidlock.run("stop", "--pidfile", p).exits(77);
        assertTrue(rootsProcess.isAlive(), () -> "root's process lives: " + r);
        assertTrue(r.stderr().contains("belongs to uid"), r::toString);
        assertTrue(Files.exists(pidfile), "nothing is removed");
    }

    /**
     * A locked pidfile names an unrelated process, and its time is far in the past or the future: stop acts on the
     * kernel's holders (flock and its child), never on the named process; no clock is consulted. The holder
     * ignores SIGTERM, so --force sends SIGKILL, and still only to the holders.
     */
    @ParameterizedTest
    @ValueSource(longs = {-3600 * 24 * 365, 3600 * 24 * 365})
    void stopOfALockedPidfileActsOnTheKernelsHoldersWhateverTheFileSaysAndItsTime(long shift) throws IOException {
        Path locked = dir.resolve("locked");
        Process flock = ours(new ProcessBuilder("flock", p, "sh", "-c", "echo $$ > \"$1\"; " + DEAF, "sh",
                locked.toString()).start());
        long child = Launcher.awaitPid(locked);
        Process unrelated = ours(new ProcessBuilder("sleep", "30").start());
        Files.writeString(pidfile, unrelated.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plusSeconds(shift)));

        Launcher.Result status = pidlock.run("status", "--pidfile", p).exits(0);
        assertFalse(status.stdout().contains("pid: " + unrelated.pid()), status::toString);

        Launcher.Result r = pidlock.run("stop", "--timeout", "500ms", "--force", "--pidfile", p).exits(0);
        assertTrue(r.stdout().contains("pid " + flock.pid()) && r.stdout().contains(Long.toString(child)),
                r::toString);
        assertTrue(r.stdout().contains("KILL"), r::toString);
        assertFalse(Procs.alive(flock.pid()) || Procs.alive(child), r::toString);
        assertTrue(unrelated.isAlive(), () -> "the process the file names does not hold the lock: " + r);
        assertFalse(Files.exists(pidfile), r::toString);
    }

    /**
     * The holder's lock passes, on SIGTERM, to a process the stop has never seen: the holder starts it in a session
     * of its own and exits, so it has neither a known parent nor a known session. It still holds the very lock stop
     * began with (the kernel lists the same flock, made by the same pid), so stop signals it too and removes the
     * pidfile; before, stop took it for a new instance, said OK and left the pidfile (seen in CI, where a holder's
     * `sleep` outlived its killed shell).
     */
    @Test
    void aHolderThatHandsItsLockToANewSessionOnTermIsFollowed() throws IOException {
        Path heir = dir.resolve("heir");
        Process holder = ours(new ProcessBuilder("python3", "-c", HANDS_ON_AT_TERM, p, heir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        Launcher.awaitPidfileNames(pidfile, holder.pid());

        Launcher.Result r = pidlock.run("stop", "--timeout", "5s", "--pidfile", p).exits(0);
        long child = Launcher.awaitPid(heir);
        assertTrue(r.stdout().contains("OK") && r.stderr().isEmpty(), r::toString);
        assertFalse(Procs.alive(child), () -> "the heir of the lock is stopped too: " + r);
        assertFalse(Files.exists(pidfile), r::toString);
    }

    /** Locks argv[1] with flock, records its pid there; on SIGTERM forks a child that leaves the session and keeps
     * the descriptor (so the lock), writes its pid to argv[2], and execs sleep; exits once the child has left. */
    private static final String HANDS_ON_AT_TERM = String.join("\n",
            "import fcntl, os, signal, sys, time",
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)",
            "fcntl.flock(fd, fcntl.LOCK_EX)",
            "os.set_inheritable(fd, True)",
            "def term(*_):",
            "    r, w = os.pipe()",
            "    if os.fork() == 0:",
            "        os.setsid()",
            "        with open(sys.argv[2], 'w') as f: f.write(str(os.getpid()) + '\\n')",
            "        os.write(w, b'x')",
            "        os.execvp('sleep', ['sleep', '30'])",
            "    os.read(r, 1)",
            "    os._exit(0)",
            "signal.signal(signal.SIGTERM, term)",
            "os.ftruncate(fd, 0)",
            "os.pwrite(fd, (str(os.getpid()) + '\\n').encode(), 0)",
            "while True: time.sleep(1)");

    /**
     * An unlocked pidfile whose time is in the future names a younger unrelated process: nothing proves it is
     * the holder, so stop (even with --force) refuses (77) unless --exec or --user match it.
     */
    @Test
    void stopOfAnUnlockedPidfileNeedsAPositiveMatch() throws IOException {
        Process unrelated = ours(new ProcessBuilder("sleep", "30").start());
        Files.writeString(pidfile, unrelated.pid() + "\n");
        Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plus(1, ChronoUnit.HOURS)));

        Launcher.Result forced = pidlock.run("stop", "--force", "--timeout", "500ms", "--pidfile", p).exits(77);
        forced.oneErrorLine("not locked", "--exec", "not signalling");
        assertFalse(forced.stdout().contains("Stopping"), forced::toString);
        assertTrue(unrelated.isAlive(), forced::toString);
        assertTrue(Files.exists(pidfile));

        Launcher.Result other = pidlock.run("stop", "--exec", "/bin/cat", "--pidfile", p).exits(77);
        other.oneErrorLine("not /bin/cat", "not signalling");
        Launcher.Result user = pidlock.run("stop", "--user", "4242", "--pidfile", p).exits(77);
        user.oneErrorLine("not as 4242", "not signalling");
        assertTrue(unrelated.isAlive());

        String sleep = Path.of("/proc/" + unrelated.pid() + "/exe").toRealPath().toString();
        Launcher.Result matched = pidlock.run("stop", "--exec", sleep, "--user",
                String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "--pidfile", p).exits(0);
        assertTrue(matched.stdout().contains("pid " + unrelated.pid()) && matched.stdout().contains("OK"),
                matched::toString);
        Launcher.await("the matched process ends", () -> !unrelated.isAlive());
        assertFalse(Files.exists(pidfile), matched::toString);
    }

    /**
     * A holder in a new pid namespace writes a pid that, seen from the host, is an unrelated process: host status
     * and stop act on the real holder (root only).
     */
    @Test
    void aHolderInAnotherPidNamespaceIsTheOneStopped() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0,
                "needs root for unshare --pid");
        Process unrelated = ours(new ProcessBuilder("sleep", "30").start());
        Path ready = dir.resolve("ready");
        Process ns = ours(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "flock", p, "sh", "-c",
                "echo " + unrelated.pid() + " > \"$1\"; echo $$ > \"$2\"; exec sleep 30", "sh", p,
                ready.toString()).start());
        Launcher.awaitPid(ready);
        Launcher.awaitPidfileNames(pidfile, unrelated.pid());
        List<Long> holders = ns.descendants().map(ProcessHandle::pid).toList();

        Launcher.Result status = pidlock.run("status", "--pidfile", p).exits(0);
        assertFalse(status.stdout().contains("pid: " + unrelated.pid() + ","), () -> "not the named process: "
                + status);
        Launcher.Result stop = pidlock.run("stop", "--pidfile", p).exits(0);
        assertTrue(unrelated.isAlive(), () -> "the unrelated host process lives: " + stop);
        assertFalse(stop.stdout().matches("(?s).*\\b" + unrelated.pid() + "\\b.*"), stop::toString);
        for (long h : holders) {
            assertFalse(Procs.alive(h), () -> "holder " + h + " is stopped: " + stop);
        }
        assertFalse(Files.exists(pidfile), stop::toString);
    }

    /**
     * Run in a pid namespace that cannot see the holder (a container, and a POSIX lock taken outside it): the
     * kernel leaves the lock out of /proc/locks there, but the lock is held. stop signals nothing (77) and says
     * why; status does not name the pid the file holds (root only).
     */
    @Test
    void stopInAPidNamespaceThatCannotSeeTheHolderSignalsNothing() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0,
                "needs root for unshare --pid");
        Files.writeString(pidfile, "");
        Process holder = ours(new ProcessBuilder("python3", "-c", "import fcntl, os, sys, time\n"
                + "f = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "f.write('2\\n'); f.flush()\ntime.sleep(30)\n", p).start());
        Launcher.awaitPidfileNames(pidfile, 2);
        List<String> inside = List.of("unshare", "--pid", "--fork", "--mount-proc",
                pidlock.executable().toString());
        Process status = new ProcessBuilder(concat(inside, "status", "--pidfile", p)).redirectErrorStream(true)
                .start();
        String said = new String(status.getInputStream().readAllBytes());
        assertEquals(0, status.waitFor(), said);
        assertTrue(said.contains("cannot be seen"), said);
        assertFalse(said.contains("pid: 2,"), () -> "the pid the file names is not believed: " + said);

        Process stop = new ProcessBuilder(concat(inside, "stop", "--force", "--timeout", "1s", "--pidfile", p))
                .redirectErrorStream(true).start();
        String stopSaid = new String(stop.getInputStream().readAllBytes());
        assertEquals(77, stop.waitFor(), stopSaid);
        assertTrue(stopSaid.contains("cannot see") || stopSaid.contains("can see"), stopSaid);
        assertTrue(holder.isAlive(), stopSaid);
        assertTrue(Files.exists(pidfile), stopSaid);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    /** A command that closes the descriptor it inherited runs without the lock: start does not call it started. */
    @Test
    void startOfACommandThatClosesItsLockIsNotCalledStarted() throws IOException {
        Path ready = dir.resolve("ready");
        Launcher.Result r = pidlock.run("start", "--startup-timeout", "1s", "--pidfile", p, "--", "python3", "-c",
                "import os, sys, time\nos.closerange(3, 65536)\nopen(sys.argv[1], 'w').write(str(os.getpid()))\n"
                        + "time.sleep(30)\n", ready.toString()).exits(1);
        long pid = Launcher.awaitPid(ready);
        pidlock.killLater(pid);
        assertFalse(r.stdout().contains("Started"), r::toString);
        r.oneErrorLine("does not hold the lock", p);
        assertTrue(Procs.alive(pid), () -> "it was not stopped: " + r);
        assertFalse(Files.exists(pidfile), r::toString);
    }

    /**
     * A new instance, of another session, waits for the lock and takes it when the stopped holder is gone: stop
     * signals the holders it began with and what they started, not the newcomer.
     */
    @Test
    void stopLeavesANewInstanceThatTookTheLockMeanwhileAlone() throws IOException {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        ours(new ProcessBuilder("setsid", "flock", p, "sh", "-c", "echo $$ > \"$1\"; exec sleep 30", "sh",
                first.toString()).start());
        long a = Launcher.awaitPid(first);
        ours(new ProcessBuilder("setsid", "flock", p, "sh", "-c", "echo $$ > \"$1\"; exec sleep 30", "sh",
                second.toString()).start()); // waits in flock(1) for the lock
        Launcher.Result r = pidlock.run("stop", "--timeout", "5s", "--pidfile", p).exits(0);
        long b = Launcher.awaitPid(second);
        pidlock.killLater(b);
        Launcher.await("the stopped holder's end (its zombie reaped)", () -> !Procs.alive(a));
        assertTrue(Procs.alive(b), () -> "the new instance is not stopped: " + r);
    }

    /** A timeout too long for nanoseconds is as good as forever, not an internal error after the signal. */
    @Test
    void stopWithAnEnormousTimeout() {
        long pid = start("--", "sleep", "30");
        Launcher.Result r = pidlock.run("stop", "--timeout", "9300000000", "--pidfile", p).exits(0);
        assertFalse(r.stderr().contains("overflow"), r::toString);
        assertTrue(r.stdout().contains("OK"), r::toString);
        assertFalse(Procs.alive(pid));
    }

    @Test
    void stopNeverSignalsPid1() throws IOException {
        Files.writeString(pidfile, "1\n");
        Launcher.Result r = pidlock.run("stop", "--timeout", "500ms", "--pidfile", p);
        assertFalse(r.stdout().contains("Stopping"), r::toString);
        r.exits(0);
        assertTrue(r.stdout().contains("not running"), r::toString);
    }

    @Test
    void restartOfARunningCommandStartsANewOne() {
        long first = start("--", "sleep", "30");
        Launcher.Result r = pidlock.run("restart", "--pidfile", p, "--", "sleep", "30");
        OptionalLong second = pidIn(pidfile);
        second.ifPresent(pidlock::killLater);
        r.exits(0);
        assertFalse(Procs.alive(first), () -> "restart ends " + first + ": " + r);
        assertFalse(r.stdout().contains("already running"), r::toString);
        assertTrue(second.isPresent() && second.getAsLong() != first && Procs.alive(second.getAsLong()),
                () -> "a new process: " + r);
        assertTrue(r.stdout().contains("Started app, pid " + second.getAsLong()), r::toString);
    }

    /**
     * A process that has touched 1 GiB and ignores nothing: on SIGTERM the kernel frees its memory before it
     * closes its files, so for a while it is exiting (PF_EXITING) and still holds the lock.
     */
    static final String SLOW_EXIT = "perl -e '$| = 1; $x = \"x\" x (1024 * 1024 * 1024); print \"ready\\n\"; sleep 60'";

    @Test
    void stopOfACommandWhoseExitTakesTimeReturnsOnceTheLockIsFree() throws IOException {
        Path out = dir.resolve("out");
        long pid = start("--stdout", out.toString(), "--", "sh", "-c", "exec " + SLOW_EXIT);
        Launcher.await("the command's memory", () -> Launcher.read(out).equals("ready\n"));

        Launcher.Result stop = pidlock.run("stop", "--pidfile", p).exits(0);
        assertFalse(stop.stderr().contains("still held"), () -> "stop waited for the lock: " + stop);
        assertFalse(Files.exists(pidfile), () -> "the lock was free, so the pidfile is gone: " + stop);
        assertFalse(Procs.alive(pid), stop::toString);
    }

    @Test
    void restartOfACommandWhoseExitTakesTimeStartsANewOne() {
        Path out = dir.resolve("out");
        long first = start("--stdout", out.toString(), "--", "sh", "-c", "exec " + SLOW_EXIT);
        Launcher.await("the command's memory", () -> Launcher.read(out).equals("ready\n"));

        Launcher.Result r = pidlock.run("restart", "--pidfile", p, "--", "sleep", "30");
        OptionalLong second = pidIn(pidfile);
        second.ifPresent(pidlock::killLater);
        r.exits(0);
        assertFalse(r.stdout().contains("already running"), r::toString);
        assertTrue(second.isPresent() && second.getAsLong() != first && Procs.alive(second.getAsLong()),
                () -> "a new process: " + r);
        assertEquals("sleep", Procs.comm(second.getAsLong()));
    }

    @Test
    void restartOfAStoppedCommandWarnsAndStarts() {
        Launcher.Result r = pidlock.run("restart", "--pidfile", p, "--", "sleep", "30").exits(0);
        OptionalLong pid = pidIn(pidfile);
        assertTrue(pid.isPresent(), r::toString);
        pidlock.killLater(pid.getAsLong());
        assertTrue(r.stderr().contains("was not running"), r::toString);
        assertTrue(r.stdout().contains("Started app, pid " + pid.getAsLong()), r::toString);
        assertTrue(Procs.alive(pid.getAsLong()));
        assertEquals("sleep", Procs.comm(pid.getAsLong()));
    }

    private Process ours(Process process) {
        ours.add(process);
        return process;
    }

    /** @return the pid of a process that has exited */
    static long exitedPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
