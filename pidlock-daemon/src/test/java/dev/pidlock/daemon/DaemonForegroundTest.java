package dev.pidlock.daemon;

import dev.pidlock.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The example daemon in the foreground, run as real child JVMs. */
class DaemonForegroundTest extends ExampleDaemonRuns {
    /** Runs {@code status} in a second JVM until it says running (or the daemon died). */
    private Process statusUntilRunning(Process daemon) throws Exception {
        long deadline = System.nanoTime() + ChildProcess.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(pidFile()) && !Files.readString(pidFile()).isBlank()) {
                Process status = example("sleep", "status");
                int code = waitFor(status);
                if (code == 0) {
                    return status;
                }
            }
            if (!daemon.isAlive()) {
                fail("the daemon died: " + err(daemon));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the daemon never ran");
    }

    @Test
    void foregroundStartThenStatusFromAnotherJvmThenSigtermCallsTheCallbackAndRemovesThePidfile() throws Exception {
        Process daemon = example("sleep", "start", "--foreground");
        Process status = statusUntilRunning(daemon);
        String line = out(status).trim();
        assertTrue(line.startsWith("feeder -- pid: " + daemon.pid() + ", status: running, uptime: "), line);
        assertTrue(line.matches(".*, %cpu: [0-9.]+, %mem: [0-9.]+"), line);

        Process json = example("sleep", "status", "--json");
        assertEquals(0, waitFor(json));
        assertTrue(out(json).contains("\"pid\":" + daemon.pid() + ","), out(json));
        assertTrue(out(json).contains("\"status\":\"running\""), out(json));

        daemon.destroy(); // SIGTERM
        assertEquals(0, waitFor(daemon), err(daemon));
        assertEquals("Terminated by SIGTERM (15)|0\n", Files.readString(callbackFile()));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");

        Process after = example("sleep", "status");
        assertEquals(3, waitFor(after));
        assertEquals("feeder -- status: not running", out(after).trim());
    }

    @Test
    void sigintCallsTheCallbackOnceAndDaemonStatusSeesItRunningFromThisJvm() throws Exception {
        Process daemon = example("sleep", "start", "--foreground");
        statusUntilRunning(daemon);
        DaemonStatus st = Daemon.builder("feeder").pidFile(pidFile()).build().status();
        assertTrue(st.running(), st.toString());
        assertEquals(daemon.pid(), st.pid().getAsLong());
        assertTrue(st.uptime().isPresent() && st.cpuPercent().isPresent() && st.memoryPercent().isPresent(),
                st.toString());

        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(daemon.pid())).start().waitFor());
        assertEquals(0, waitFor(daemon), err(daemon));
        assertEquals("Terminated by SIGINT (2)|0\n", Files.readString(callbackFile()));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
        assertFalse(Daemon.builder("feeder").pidFile(pidFile()).build().status().running());
    }

    @Test
    void aWorkerThatThrowsEndsWithCode1AndTheCallbackOnceWithTheException() throws Exception {
        Process daemon = example("throw", "start", "--foreground");
        assertEquals(1, waitFor(daemon));
        assertEquals("Dying due to unhandled java.lang.IllegalStateException: boom|1\n",
                Files.readString(callbackFile()));
        assertTrue(err(daemon).contains("java.lang.IllegalStateException: boom")
                && err(daemon).contains("at dev.pidlock.daemon.ExampleDaemon"), err(daemon));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
    }

    @Test
    void aWorkerThatReturnsEndsWithCode0AndTheCallbackOnce() throws Exception {
        Process daemon = example("return", "start", "--foreground");
        assertEquals(0, waitFor(daemon), err(daemon));
        assertEquals("Shutting down normally|0\n", Files.readString(callbackFile()));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
    }

    @Test
    void systemExitInTheWorkerCallsTheCallbackOnceWithAnUnknownCodeAndRemovesThePidfile() throws Exception {
        Process daemon = example("exit", "start", "--foreground");
        assertEquals(5, waitFor(daemon), err(daemon));
        assertEquals("Exiting (System.exit or JVM shutdown)|-1\n", Files.readString(callbackFile()));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
    }

    @Test
    void startingTwiceSaysAlreadyRunningWithThePidAndExits0() throws Exception {
        Process daemon = example("sleep", "start", "--foreground");
        statusUntilRunning(daemon);
        Process second = example("sleep", "start", "--foreground");
        assertEquals(0, waitFor(second), err(second));
        assertEquals("feeder is already running (pid " + daemon.pid() + ")", out(second).trim());
        assertTrue(daemon.isAlive());
        daemon.destroy();
        assertEquals(0, waitFor(daemon));
        assertEquals("Terminated by SIGTERM (15)|0\n", Files.readString(callbackFile()),
                "the second start must not call the callback");
    }

    @Test
    void aCustomActionRunsByNameAndIsListedInTheHelp() throws Exception {
        Process hello = example("sleep", "hello", "world");
        assertEquals(7, waitFor(hello), err(hello));
        assertEquals("hello world from feeder", out(hello).trim());

        Process help = example("sleep", "--help");
        assertEquals(0, waitFor(help));
        assertTrue(out(help).matches("(?s).*\\n  hello +Say hello to the arguments\\n.*"), out(help));
    }

    @Test
    void stopAndReloadOfADaemonThatIsNotRunningSaySo() throws Exception {
        Process stop = example("sleep", "stop");
        assertEquals(0, waitFor(stop), err(stop));
        assertEquals("WARNING: feeder is not running", err(stop).trim());
        Process reload = example("sleep", "reload");
        assertEquals(7, waitFor(reload), err(reload));
        Process bad = example("sleep", "stop", "--bogus");
        assertEquals(2, waitFor(bad), err(bad));
        assertTrue(err(bad).contains("unknown option '--bogus'"), err(bad));
        assertFalse(Files.exists(pidFile()));
    }
    @Test
    void aPidfileThatCannotBeWrittenIsOneLineOnStderrAndExit1NotAStackTrace() throws Exception {
        Path missing = dir.resolve("missing").resolve("feeder.pid");
        ProcessBuilder pb = new ProcessBuilder(ChildProcess.javaCommand(ExampleDaemon.class.getName(),
                missing.toString(), callbackFile().toString(), "sleep", "start", "--foreground"));
        pb.redirectOutput(dir.resolve("out-" + started.size() + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + started.size() + ".txt").toFile());
        Process p = pb.start();
        started.add(p);
        assertEquals(1, waitFor(p), out(p) + err(p));
        String e = err(p);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("feeder: cannot start: ") && e.contains(missing.toString()) && e.contains("ENOENT"), e);
        assertFalse(Files.exists(callbackFile()), "no daemon ran, so no callback");
    }
}
