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

/** stop and restart of the example daemon, started detached, as real child JVMs. */
class DaemonStopTest extends ExampleDaemonRuns {
    private long startDetached(String mode) throws Exception {
        Process parent = example(mode, "start");
        assertEquals(0, waitFor(parent), err(parent));
        assertEquals("Starting feeder ... OK", out(parent).trim());
        daemonPid = status().pid().orElseThrow();
        return daemonPid;
    }

    private DaemonStatus status() {
        return Daemon.builder("feeder").pidFile(pidFile()).build().status();
    }

    @Test
    void startStatusStopThenStatusSaysNotRunning() throws Exception {
        long pid = startDetached("sleep");
        Process status = example("sleep", "status");
        assertEquals(0, waitFor(status), err(status));
        assertTrue(out(status).startsWith("feeder -- pid: " + pid + ", status: running"), out(status));

        Process stop = example("sleep", "stop");
        assertEquals(0, waitFor(stop), out(stop) + err(stop));
        assertEquals("Stopping feeder ... OK", out(stop).trim());
        assertEquals("", err(stop));
        assertFalse(running(pid), "the daemon still runs");
        assertEquals("Terminated by SIGTERM (15)|0\n", Files.readString(dir.resolve("callback.txt")));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");

        Process after = example("sleep", "status");
        assertEquals(3, waitFor(after), err(after));
    }

    @Test
    void aDaemonThatIgnoresSigtermIsStillRunningAfterTheTimeoutUntilForce() throws Exception {
        long pid = startDetached("deaf");
        await("the worker ignoring SIGTERM", () -> Files.exists(dir.resolve("deaf.txt")));

        Process stop = example("sleep", "stop");
        assertEquals(1, waitFor(stop), out(stop) + err(stop));
        assertTrue(out(stop).startsWith("Stopping feeder ... FAILED"), out(stop));
        assertTrue(running(pid), "stop killed it on its own");
        assertEquals(pid, status().pid().orElseThrow());

        Process force = example("sleep", "stop", "--force");
        assertEquals(0, waitFor(force), out(force) + err(force));
        assertTrue(out(force).trim().matches("Stopping feeder \\.\\.\\. still held after 2s, sending KILL \\.\\.\\. OK"),
                out(force));
        assertFalse(running(pid), "--force did not end it");
        assertFalse(Files.exists(pidFile()), "the killed daemon's pidfile is left");
        assertFalse(status().running());
    }

    @Test
    void restartWhenStoppedWarnsAndStartsAndWhenRunningReplacesTheDaemon() throws Exception {
        Process restart = example("sleep", "restart");
        assertEquals(0, waitFor(restart), out(restart) + err(restart));
        assertEquals("WARNING: feeder is not running", err(restart).trim());
        assertEquals("Starting feeder ... OK", out(restart).trim());
        long first = status().pid().orElseThrow();
        daemonPid = first;

        Process again = example("sleep", "restart");
        assertEquals(0, waitFor(again), out(again) + err(again));
        assertEquals("Stopping feeder ... OK\nStarting feeder ... OK", out(again).trim());
        long second = status().pid().orElseThrow();
        daemonPid = second;
        assertTrue(second != first, "the same daemon runs");
        assertFalse(running(first), "the first still runs");
        assertEquals("Terminated by SIGTERM (15)|0\n", Files.readString(dir.resolve("callback.txt")));
    }
}
