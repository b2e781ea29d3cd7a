package dev.pidlock.daemon;

import dev.pidlock.PidFileStatus;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reload: the running daemon replaces itself with a fresh JVM of the same program, keeping its pid and its lock.
 * A client polls the status all along: it never finds the daemon not running, nor two holders.
 */
class DaemonReloadTest extends ExampleDaemonRuns {
    /** Polls the daemon's status every 2 ms from another thread, recording whatever is wrong. */
    private static final class Poller implements AutoCloseable {
        final ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        final AtomicInteger looks = new AtomicInteger();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        Poller(Path pidFile, long pid) {
            Daemon d = Daemon.builder("feeder").pidFile(pidFile).build();
            thread = new Thread(() -> {
                while (!stop.get()) {
                    DaemonStatus s = d.status();
                    PidFileStatus f = s.pidFileStatus();
                    looks.incrementAndGet();
                    if (!s.running()) {
                        wrong.add("not running: " + f.detail());
                    } else if (s.pid().orElse(-1) != pid || !f.holders().equals(List.of(pid))) {
                        wrong.add("pid " + s.pid() + ", holders " + f.holders());
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "status-poller");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }

    private long startDetached(String mode) throws Exception {
        Process parent = example(mode, "start");
        assertEquals(0, waitFor(parent), err(parent));
        assertEquals("Starting feeder ... OK", out(parent).trim());
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();
        return daemonPid;
    }

    private void stopWithSigterm(long pid) throws Exception {
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor());
        daemon.onExit().get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertFalse(Files.exists(pidFile()), "the reloaded daemon left its pidfile");
    }

    @Test
    void reloadFromOutsideStartsAFreshJvmWithTheSamePidWhileStatusNeverSaysNotRunning() throws Exception {
        long pid = startDetached("sleep");
        await("the first worker", () -> workers().size() == 1);

        Process reload;
        try (Poller poller = new Poller(pidFile(), pid)) {
            Thread.sleep(50);
            reload = example("sleep", "reload");
            assertEquals(0, waitFor(reload), out(reload) + err(reload));
            await("the second worker", () -> workers().size() == 2);
            Thread.sleep(50);
            poller.close();
            assertTrue(poller.wrong.isEmpty(), poller.looks + " looks, wrong: " + List.copyOf(poller.wrong));
            assertTrue(poller.looks.get() > 20, "the poller looked " + poller.looks + " times");
        }
        assertEquals("Reloading feeder ... OK", out(reload).trim());
        List<String> w = workers();
        assertEquals(pid + "", w.get(0).split(" ")[0]);
        assertEquals(pid + "", w.get(1).split(" ")[0], "the fresh start keeps the pid");
        assertNotEquals(w.get(0).split(" ")[1], w.get(1).split(" ")[1], "a fresh JVM, not the same one: " + w);
        assertEquals("Reloading on SIGHUP (1)|0\n", Files.readString(dir.resolve("callback.txt")));

        stopWithSigterm(pid);
        assertEquals("Reloading on SIGHUP (1)|0\nTerminated by SIGTERM (15)|0\n",
                Files.readString(dir.resolve("callback.txt")));
    }

    @Test
    void theWorkerReloadsItselfAndAForegroundDaemonKeepsItsProcess() throws Exception {
        Process foreground = example("selfreload", "start", "--foreground");
        daemonPid = foreground.pid();
        await("the second worker", () -> workers().size() == 2);
        assertTrue(foreground.isAlive(), "the foreground daemon's process ended");
        assertEquals("Reloading (requested by the program)|0\n", Files.readString(dir.resolve("callback.txt")));
        List<String> w = workers();
        assertEquals(List.of(foreground.pid() + "", foreground.pid() + ""),
                w.stream().map(l -> l.split(" ")[0]).toList());
        assertEquals(foreground.pid(), Daemon.builder("feeder").pidFile(pidFile()).build().status().pid()
                .orElseThrow());

        Process again = example("sleep", "start", "--foreground");
        assertEquals(0, waitFor(again), err(again));
        assertEquals("feeder is already running (pid " + foreground.pid() + ")", out(again).trim());

        stopWithSigterm(foreground.pid());
        assertEquals(0, foreground.waitFor());
    }

    @Test
    void reloadOfADaemonThatIsNotRunningSaysSoWith7() throws Exception {
        Process reload = example("sleep", "reload");
        assertEquals(7, waitFor(reload), out(reload) + err(reload));
        assertTrue(err(reload).startsWith("feeder is not running"), err(reload));
    }

    @Test
    void startWaitsForTheWorkersReadyCall() throws Exception {
        Process parent = example("ready", "start");
        assertEquals(0, waitFor(parent), err(parent));
        assertEquals("Starting feeder ... OK", out(parent).trim());
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();
        assertTrue(Files.exists(dir.resolve("ready.txt")), "start said OK before the worker called ready()");
    }

    private List<String> callbacks() throws IOException {
        Path f = dir.resolve("callback.txt");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static void kill(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    @Test
    void aStormOfReloadSignalsDuringTheFreshJvmsStartUpDoesNotEndTheDaemon() throws Exception {
        long pid = startDetached("sleep");
        await("the first worker", () -> workers().size() == 1);
        kill("HUP", pid);
        await("the reload's callback", () -> uncheckedCallbacks().size() == 1);
        // SIGHUP after SIGHUP while the fresh JVM starts up (before its handler is installed): each one used to
        // end it (exit 129, no callback, the pidfile left stale)
        while (workers().size() < 2) {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                fail("the daemon died during its reload: " + callbacks() + "\n"
                        + Files.readString(dir.resolve("daemon-err.txt")));
            }
            kill("HUP", pid);
            Thread.sleep(5);
        }
        // every reload the storm caused has its fresh worker
        await("the last reload's worker", () -> workers().size() == uncheckedCallbacks().size() + 1);
        Thread.sleep(200);
        await("the last reload's worker", () -> workers().size() == uncheckedCallbacks().size() + 1);
        DaemonStatus s = Daemon.builder("feeder").pidFile(pidFile()).build().status();
        assertTrue(s.running(), s.pidFileStatus().detail());
        assertEquals(pid, s.pid().orElseThrow());
        assertTrue(workers().stream().allMatch(l -> l.startsWith(pid + " ")), workers().toString());

        Process stop = example("sleep", "stop");
        assertEquals(0, waitFor(stop), out(stop) + err(stop));
        List<String> c = callbacks();
        assertEquals("Terminated by SIGTERM (15)|0", c.get(c.size() - 1), c.toString());
        assertTrue(c.subList(0, c.size() - 1).stream().allMatch("Reloading on SIGHUP (1)|0"::equals), c.toString());
        assertFalse(Files.exists(pidFile()));
    }

    @Test
    void aDaemonStartedUnderNohupReloadsOnSighup() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh"));
        cmd.addAll(ChildProcess.javaCommand(ExampleDaemon.class.getName(), pidFile().toString(),
                dir.resolve("callback.txt").toString(), "sleep", "start"));
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("nohup-start.txt").toFile()).start();
        started.add(parent);
        assertEquals(0, waitFor(parent), Files.readString(dir.resolve("nohup-start.txt")));
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();
        await("the first worker", () -> workers().size() == 1);

        Process reload = example("sleep", "reload");
        assertEquals(0, waitFor(reload), out(reload) + err(reload));
        assertEquals("Reloading feeder ... OK", out(reload).trim());
        await("the second worker", () -> workers().size() == 2);
        assertEquals(List.of("Reloading on SIGHUP (1)|0"), callbacks());
        stopWithSigterm(daemonPid);
    }

    private List<String> uncheckedCallbacks() {
        try {
            return callbacks();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * A SIGTERM during a reload's callback ends the daemon once the callback is done (not cut short, not called
     * again): no fresh start, the pidfile removed, the lock free.
     */
    @Test
    void aSigtermDuringTheReloadCallbackEndsTheDaemonCleanly() throws Exception {
        long pid = startDetached("slowreload");
        await("the first worker", () -> workers().size() == 1);
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start().waitFor());
        await("the reload's callback", () -> {
            try {
                return Files.readString(dir.resolve("callback.txt")).startsWith("Reloading");
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor());
        await("the daemon's end", () -> !running(pid));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
        assertFalse(Daemon.builder("feeder").pidFile(pidFile()).build().status().running());
        Thread.sleep(500);
        assertEquals(1, workers().size(), "a fresh start ran: " + workers());
        assertEquals("Reloading on SIGHUP (1)|0\ncallback done\n", Files.readString(dir.resolve("callback.txt")),
                "the callback was cut short, or called again");
    }
}
