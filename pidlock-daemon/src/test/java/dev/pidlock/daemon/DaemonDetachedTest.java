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

/** The example daemon started detached: the parent JVM relaunches the program and waits for the child. */
class DaemonDetachedTest extends ExampleDaemonRuns {
    @Test
    void detachedStartSaysOkWhenTheChildHoldsTheLockThenStatusSigtermRemovesThePidfile() throws Exception {
        Process parent = example("sleep", "start");
        assertEquals(0, waitFor(parent), err(parent));
        assertEquals("Starting feeder ... OK", out(parent).trim());

        Process status = example("sleep", "status");
        assertEquals(0, waitFor(status), err(status));
        String line = out(status).trim();
        assertTrue(line.matches("feeder -- pid: [0-9]+, status: running, uptime: .*"), line);
        daemonPid = Long.parseLong(line.replaceAll("^feeder -- pid: ([0-9]+),.*$", "$1"));
        assertTrue(daemonPid != parent.pid(), "the daemon is the parent itself");
        ProcessHandle daemon = ProcessHandle.of(daemonPid).orElseThrow();
        String stat = Files.readString(Path.of("/proc/" + daemonPid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(daemonPid), f[3], "the daemon leads its own session: " + stat);
        assertEquals("/", Files.readSymbolicLink(Path.of("/proc/" + daemonPid + "/cwd")).toString());
        assertTrue(Files.readString(Path.of("/proc/" + daemonPid + "/status")).contains("\nUmask:\t0027\n"),
                "the configured umask 027 is not the daemon's");
        assertEquals("/dev/null", Files.readSymbolicLink(Path.of("/proc/" + daemonPid + "/fd/0")).toString());
        assertEquals(dir.resolve("daemon-out.txt"), Files.readSymbolicLink(Path.of("/proc/" + daemonPid + "/fd/1")));
        assertEquals(dir.resolve("daemon-err.txt"), Files.readSymbolicLink(Path.of("/proc/" + daemonPid + "/fd/2")));

        try (var fds = Files.list(Path.of("/proc/" + daemonPid + "/fd"))) {
            List<Path> parents = List.of(dir.resolve("out-0.txt"), dir.resolve("err-0.txt"));
            fds.forEach(fd -> {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    assertFalse(parents.contains(target), "the daemon holds the parent's " + fd + " -> " + target);
                } catch (IOException gone) {
                    // the descriptor closed meanwhile
                }
            });
        }

        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(daemonPid)).start().waitFor());
        daemon.onExit().get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals("Terminated by SIGTERM (15)|0\n", Files.readString(dir.resolve("callback.txt")));
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
        Process after = example("sleep", "status");
        assertEquals(3, waitFor(after));
    }

    @Test
    void aWorkerThatThrowsAtOnceIsReportedAsFailedWithItsStatusAndStderrLines() throws Exception {
        Process parent = example("throw", "start");
        assertEquals(1, waitFor(parent), out(parent));
        assertEquals("Starting feeder ... FAILED", out(parent).trim());
        String e = err(parent);
        assertTrue(e.contains("exit status 1"), e);
        assertTrue(e.contains("java.lang.IllegalStateException: boom"), e);
        assertFalse(Files.exists(pidFile()), "the pidfile is left");
    }

    @Test
    void aSecondDetachedStartSaysAlreadyRunningWithThePidAndExits0() throws Exception {
        Process first = example("sleep", "start");
        assertEquals(0, waitFor(first), err(first));
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();

        Process second = example("sleep", "start");
        assertEquals(0, waitFor(second), out(second) + err(second));
        assertEquals("feeder is already running (pid " + daemonPid + ")", out(second).trim());
        assertTrue(ProcessHandle.of(daemonPid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(daemonPid, Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow());
    }
    @Test
    void aRelativePidfileIsTheOneInTheDirectoryStartRanIn() throws Exception {
        // the daemon works in /, yet the pidfile the operator named is the one under the directory start ran in
        Path sub = Files.createDirectory(dir.resolve("pidlock-daemon-relative-" + ProcessHandle.current().pid()));
        Path relative = Path.of(sub.getFileName().toString(), "feeder.pid");
        assertFalse(Files.exists(Path.of("/").resolve(relative)));
        List<String> outs = new ArrayList<>();
        for (String action : List.of("start", "status", "stop")) {
            ProcessBuilder pb = new ProcessBuilder(ChildProcess.javaCommand(ExampleDaemon.class.getName(),
                    relative.toString(), dir.resolve("callback.txt").toString(), "sleep", action)).directory(dir.toFile());
            pb.redirectOutput(dir.resolve("out-" + started.size() + ".txt").toFile());
            pb.redirectError(dir.resolve("err-" + started.size() + ".txt").toFile());
            Process p = pb.start();
            started.add(p);
            int code = waitFor(p);
            outs.add(out(p).trim() + "|" + code);
            if (action.equals("start")) {
                assertEquals(0, code, out(p) + err(p));
                daemonPid = Long.parseLong(Files.readString(sub.resolve("feeder.pid")).trim());
            }
        }
        assertEquals(List.of("Starting feeder ... OK|0", "feeder -- pid: " + daemonPid + ", status: running",
                "Stopping feeder ... OK|0"), List.of(outs.get(0), outs.get(1).replaceFirst(", uptime.*", ""),
                outs.get(2)));
        assertFalse(Files.exists(sub.resolve("feeder.pid")));
        assertFalse(Files.exists(Path.of("/").resolve(relative)));
    }
    @Test
    void theDaemonsLockDescriptorIsCloseOnExecSoNoChildInheritsTheLock() throws Exception {
        Process parent = example("sleep", "start");
        assertEquals(0, waitFor(parent), err(parent));
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();
        List<String> flags = new ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(daemonPid), "fd"))) {
            for (Path fd : fds.toList()) {
                if (Files.readSymbolicLink(fd).equals(pidFile())) {
                    flags.add(Files.readAllLines(Path.of("/proc", Long.toString(daemonPid), "fdinfo",
                            fd.getFileName().toString())).stream().filter(l -> l.startsWith("flags:")).findFirst()
                            .orElseThrow().substring("flags:".length()).trim());
                }
            }
        }
        assertEquals(1, flags.size(), flags.toString());
        assertTrue((Integer.parseInt(flags.get(0), 8) & 02000000) != 0, "O_CLOEXEC not in " + flags);
    }
    @Test
    void anUnlockedPidfileNamingAnUnrelatedLiveProcessIsStaleAndStartTakesItOver() throws Exception {
        // a daemon always holds its pidfile's lock: an unlocked pidfile is a dead daemon's, whatever pid it names
        // (a pid of another pid namespace, a long-lived process), and that process is never signalled
        Process unrelated = new ProcessBuilder("sleep", "300").start();
        started.add(unrelated);
        Thread.sleep(50);
        Files.writeString(pidFile(), unrelated.pid() + "\n");
        Process status = example("sleep", "status");
        assertEquals(1, waitFor(status), out(status) + err(status));
        assertTrue(out(status).startsWith("feeder -- status: dead"), out(status));

        Process start = example("sleep", "start");
        assertEquals(0, waitFor(start), out(start) + err(start));
        assertEquals("Starting feeder ... OK", out(start).trim());
        daemonPid = Daemon.builder("feeder").pidFile(pidFile()).build().status().pid().orElseThrow();
        assertTrue(daemonPid != unrelated.pid());
        Process stop = example("sleep", "stop");
        assertEquals(0, waitFor(stop), out(stop) + err(stop));
        assertTrue(unrelated.isAlive(), "the unrelated process was signalled");
        assertFalse(Files.exists(pidFile()));

        Files.writeString(pidFile(), unrelated.pid() + "\n");
        Process stopStale = example("sleep", "stop");
        assertEquals(0, waitFor(stopStale), out(stopStale) + err(stopStale));
        assertTrue(err(stopStale).contains("WARNING: feeder is not running (removed its stale pidfile: not locked"),
                err(stopStale));
        assertTrue(unrelated.isAlive(), "the unrelated process was signalled");
        assertFalse(Files.exists(pidFile()));
    }
    @Test
    void aDetachedStartAsPid1OfItsNamespaceIsRefusedItsChildWouldBeKilledAsItExits() throws Exception {
        // a container's entrypoint, or unshare -fp: when pid 1 of a pid namespace exits, the kernel kills every
        // other process in it, so a detached daemon would die the moment start said OK
        List<String> cmd = new ArrayList<>(List.of("unshare", "-fp", "--mount-proc"));
        cmd.addAll(ChildProcess.javaCommand(ExampleDaemon.class.getName(), pidFile().toString(),
                dir.resolve("callback.txt").toString(), "sleep", "start"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(dir.resolve("out-" + started.size() + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + started.size() + ".txt").toFile());
        Process p = pb.start();
        started.add(p);
        assertEquals(1, waitFor(p), out(p) + err(p));
        assertEquals("Starting feeder ... FAILED", out(p).trim());
        assertTrue(err(p).contains("pid 1 of its pid namespace") && err(p).contains("start --foreground"), err(p));
        assertFalse(Files.exists(pidFile()));
    }
}
