package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.awaitPid;
import static dev.pidlock.cli.Launcher.awaitPidfileNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signals in {@code pidlock run}, from the built launcher, with real processes: a signal reaches the command once
 * whether it was sent to pidlock's pid or to its process group; signals ignored when pidlock starts stay ignored
 * in the command; the signals the JVM would act on by itself are passed on or harmless. pidlock runs under
 * {@code setsid} (no controlling terminal, whatever terminal the build runs in), in a directory of its own
 * (where a JVM crash would leave its hs_err file).
 */
class SignalsLauncherTest {

    /**
     * The command: logs the name of each signal it catches to $2, one line each, writes its pid to $1 once its
     * handlers are in place, and exits 3 once $3 exists.
     */
    static final String COUNTER = String.join("\n",
            "import os, signal, sys, time",
            "pidf, log, stop = sys.argv[1:4]",
            "def h(sig, frame):",
            "    with open(log, 'a') as f:",
            "        f.write(signal.Signals(sig).name + '\\n')",
            "for s in ('INT', 'HUP', 'TERM', 'USR1', 'USR2', 'ALRM', 'WINCH', 'CONT', 'QUIT'):",
            "    signal.signal(getattr(signal, 'SIG' + s), h)",
            "with open(pidf + '.tmp', 'w') as f:",
            "    f.write(str(os.getpid()))",
            "os.rename(pidf + '.tmp', pidf)",
            "while not os.path.exists(stop):",
            "    time.sleep(0.02)",
            "sys.exit(3)");

    @TempDir
    Path dir;

    Launcher pidlock;
    Path pidfile;
    Path ready;
    Path log;
    Path stop;
    Path cwd;

    @BeforeEach
    void setUp() throws IOException {
        pidlock = new Launcher(dir);
        pidfile = dir.resolve("app.pid");
        ready = dir.resolve("ready");
        log = dir.resolve("log");
        stop = dir.resolve("stop");
        cwd = Files.createDirectory(dir.resolve("cwd"));
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    /** Starts {@code setsid pidlock run OPTIONS -- python3 -c COUNTER …} and waits until the command is ready. */
    private Started startCounter(String... options) {
        List<String> a = new ArrayList<>(List.of("run", "--pidfile", pidfile.toString()));
        a.addAll(List.of(options));
        a.addAll(List.of("--", "python3", "-c", COUNTER, ready.toString(), log.toString(), stop.toString()));
        Launcher.Launched run = pidlock.start(cwd, List.of("setsid"), a.toArray(String[]::new));
        long command = awaitPid(ready);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);
        assertEquals(run.pid(), Procs.ppid(command), "setsid execs the launcher: the wrapper is the command's parent");
        return new Started(run, command);
    }

    private record Started(Launcher.Launched run, long command) {
    }

    /** @return the signals the command caught so far, after a pause for a second delivery to arrive */
    private List<String> caught() throws InterruptedException {
        Thread.sleep(700); // a duplicate comes within milliseconds; the test holds without the pause, only weaker
        return Launcher.read(log).lines().toList();
    }

    /** Ends the command and checks what the wrapper did on the way: its status, no output, no crash file. */
    private void finish(Started s) throws IOException {
        Files.createFile(stop);
        Launcher.Result r = s.run().await().exits(3);
        assertEquals("", r.stdout(), () -> "nothing on the command's stdout from the wrapper: " + r);
        assertEquals("", r.stderr(), () -> "nothing on stderr: " + r);
        try (Stream<Path> files = Files.list(cwd)) {
            assertEquals(List.of(), files.toList(), "no hs_err file (or any other) in the working directory");
        }
        assertFalse(Files.exists(pidfile), "the wrapper removed the pidfile");
    }

    private static void kill(String signal, String target) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", target).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -s " + signal + " -- " + target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM", "HUP", "USR1"})
    void aSignalToTheWrappersProcessGroupReachesTheCommandOnce(String signal) throws Exception {
        Started s = startCounter();
        assertEquals(Procs.session(s.run().pid()), s.run().pid(), "the wrapper leads its session and group");
        kill(signal, "-" + s.run().pid());
        Launcher.await("the command's handler", () -> !Launcher.read(log).isEmpty());
        assertEquals(List.of("SIG" + signal), caught(), "the command caught the group's signal once");
        assertTrue(s.run().alive(), "the wrapper goes on while the command does");
        finish(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM", "HUP", "USR1", "USR2", "ALRM", "WINCH", "CONT"})
    void aSignalToTheWrappersPidIsPassedOnOnce(String signal) throws Exception {
        Started s = startCounter();
        kill(signal, Long.toString(s.run().pid()));
        Launcher.await("the command's handler", () -> !Launcher.read(log).isEmpty());
        assertEquals(List.of("SIG" + signal), caught(), "the command caught the signal once");
        assertTrue(s.run().alive(), "the wrapper survives SIG" + signal);
        finish(s);
    }

    /**
     * {@code pidlock stop} finds the wrapper and the command holding the lock: it signals the command, not the
     * wrapper too, which would pass the same signal on a second time. (The command here catches TERM and goes
     * on, so the stop ends with "still held".)
     */
    @Test
    void stopSignalsTheCommandOnceNotAlsoThroughItsWrapper() throws Exception {
        Started s = startCounter();
        Launcher.Result stopped = pidlock.run("stop", "--timeout", "1s", "--pidfile", pidfile.toString()).exits(1);
        assertEquals(List.of("SIGTERM"), caught(), stopped::toString);
        assertTrue(s.run().alive(), () -> "the wrapper was not signalled: " + stopped);
        finish(s);
    }

    @Test
    void sigquitToTheWrapperIsHarmless() throws Exception {
        Started s = startCounter();
        kill("QUIT", Long.toString(s.run().pid()));
        assertEquals(List.of(), caught(), "SIGQUIT is not passed on");
        assertTrue(s.run().alive(), "the wrapper survives SIGQUIT");
        finish(s); // and printed no thread dump
    }

    @Test
    void aSignalIgnoredWhenPidlockStartsStaysIgnoredInTheCommand() {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(cwd, List.of("sh", "-c", "trap '' HUP; exec setsid \"$0\" \"$@\""), "run",
                "--pidfile", pidfile.toString(), "--", "sh", "-c", RunLauncherTest.HOLD, "sh", marker.toString());
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);
        Launcher.await("the exec of sleep", () -> Procs.comm(command).equals("sleep"));
        assertEquals("0000000000000001", Procs.status(command, "SigIgn"),
                "SIGHUP stays ignored, as across exec (nohup); nothing else is");
        assertEquals("0000000000000000", Procs.status(command, "SigBlk"));

        Procs.signal(run.pid(), "HUP");
        assertTrue(run.alive() && Procs.alive(command), "the wrapper ignores SIGHUP too");
        Procs.signal(command, "KILL");
        run.await().exits(128 + 9);
    }

    @Test
    void aSignalIgnoredWhenPidlockStartsStaysIgnoredAcrossNoFork() {
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start(cwd, List.of("sh", "-c", "trap '' HUP PIPE; exec \"$0\" \"$@\""), "run",
                "--no-fork", "--pidfile", pidfile.toString(), "--", "sh", "-c", RunLauncherTest.HOLD, "sh",
                marker.toString());
        long command = awaitPid(marker);
        pidlock.killLater(command);
        assertEquals(run.pid(), command);
        Launcher.await("the exec of sleep", () -> Procs.comm(command).equals("sleep"));
        assertEquals(Long.toHexString(1L | 1L << 12), Long.toHexString(Long.parseUnsignedLong(
                Procs.status(command, "SigIgn"), 16)), "SIGHUP and SIGPIPE stay ignored; nothing else is");
        Procs.signal(command, "KILL");
        run.await().exits(128 + 9);
    }

    @Test
    void theCommandDoesNotGetTheJvmsSuspendSignalSetting() throws IOException {
        Path env = dir.resolve("env");
        pidlock.start(cwd, List.of(), "run", "--pidfile", pidfile.toString(), "--", "sh", "-c",
                "echo \"${_JAVA_SR_SIGNUM-unset}\" > \"$1\"", "sh", env.toString()).await().exits(0);
        assertEquals("unset", Files.readString(env).trim(), "the launcher's _JAVA_SR_SIGNUM is the JVM's own");
        pidlock.start(cwd, List.of("env", "_JAVA_SR_SIGNUM=45"), "run", "--pidfile", pidfile.toString(), "--",
                "sh", "-c", "echo \"${_JAVA_SR_SIGNUM-unset}\" > \"$1\"", "sh", env.toString()).await().exits(0);
        assertEquals("45", Files.readString(env).trim(), "the caller's own is given back to the command");
    }
}
