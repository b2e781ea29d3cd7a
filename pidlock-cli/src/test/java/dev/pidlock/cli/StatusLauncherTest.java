package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.awaitPid;
import static dev.pidlock.cli.Launcher.awaitPidfileNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code pidlock status} and {@code pidlock backends}, from the built launcher: rows 5 and 6 of §6. */
class StatusLauncherTest {

    static final Set<String> FIELDS = Set.of("name", "pidfile", "status", "pid", "locked", "started_at",
            "uptime_seconds", "cpu_percent", "memory_rss_bytes", "memory_percent", "command", "processes",
            "holders", "pidfile_pid", "pid_confirmed");

    static final List<String> BACKENDS = List.of("ofd+flock", "ofd", "flock", "posix", "lockf", "nio", "etcd");

    static final Pattern RUNNING = Pattern.compile(
            "svc -- pid: (\\d+), status: running, uptime: (\\d+d \\d+h|\\d+h \\d+m|\\d+m \\d+s|\\d+s),"
            + " %cpu: \\d+\\.\\d, %mem: \\d+\\.\\d");

    @TempDir
    Path dir;

    Launcher pidlock;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ofd+flock", "ofd"})
    void statusOfARunningCommand(String backend) throws IOException {
        Path marker = dir.resolve("pid");
        Path svc = dir.resolve("svc.pid");
        pidlock.start("run", "--backend", backend, "--name", "svc", "--dir", dir.toString(), "--",
                "sh", "-c", "echo $$ > \"$1\"; sleep 30 & exec sleep 31", "sh", marker.toString());
        long pid = awaitPid(marker);
        pidlock.killLater(pid);
        awaitPidfileNames(svc, pid);
        Launcher.await("the command's child", () -> Procs.comm(pid).equals("sleep")
                && ProcessHandle.of(pid).map(h -> h.children().count() == 1).orElse(false));

        Launcher.Result text = pidlock.run("status", "--name", "svc", "--dir", dir.toString()).exits(0);
        assertEquals(1, text.stdoutLines().size(), text::toString);
        Matcher m = RUNNING.matcher(text.stdoutLines().get(0));
        assertTrue(m.matches(), () -> "a daemonocle-style line: " + text);

        Launcher.Result json = pidlock.run("status", "--json", "--name", "svc", "--dir", dir.toString()).exits(0);
        Map<String, Object> s = Json.object(Json.parse(json.stdout()));
        assertTrue(s.keySet().containsAll(FIELDS), () -> "fields " + FIELDS + ": " + s.keySet());
        assertEquals("svc", s.get("name"));
        assertEquals(svc.toString(), s.get("pidfile"));
        assertEquals("running", s.get("status"));
        assertEquals(Boolean.TRUE, s.get("locked"));
        Instant started = Instant.parse((String) s.get("started_at"));
        assertTrue(!started.isAfter(Instant.now()), () -> "started_at: " + s);
        assertTrue(number(s, "uptime_seconds") >= 0, () -> "uptime_seconds: " + s);
        assertTrue(number(s, "cpu_percent") >= 0, () -> "cpu_percent: " + s);
        assertTrue(number(s, "memory_rss_bytes") > 0, () -> "memory_rss_bytes: " + s);
        double mem = number(s, "memory_percent");
        assertTrue(mem >= 0 && mem <= 100, () -> "memory_percent: " + s);
        assertTrue(number(s, "processes") >= 2, () -> "the process and its child: " + s);
        assertInstanceOf(String.class, s.get("command"));

        assertEquals(Long.toString(pid), m.group(1), () -> "the command's pid, not the wrapper's: " + text);
        assertEquals(pid, s.get("pid"), () -> "the command's pid, not the wrapper's: " + json);
        assertTrue(((String) s.get("command")).contains("sleep"), json::toString);
        assertEquals(2.0, number(s, "processes"), () -> "the command and its child: " + json);
        assertTrue(Json.array(s.get("holders")).contains(pid), () -> "the kernel's holders: " + json);
        assertEquals(pid, s.get("pidfile_pid"), json::toString);
        assertEquals(Boolean.TRUE, s.get("pid_confirmed"), json::toString);
    }

    /**
     * flock(1) holds the lock (and the command it runs, which inherited the descriptor); the pidfile names
     * another live process, as a holder in another pid namespace would. The kernel wins, and says so.
     */
    @Test
    void theKernelsHoldersWinOverThePidTheFileNames() throws IOException, InterruptedException {
        Path pidfile = dir.resolve("svc.pid");
        Process innocent = new ProcessBuilder("sleep", "30").start();
        try {
            Files.writeString(pidfile, innocent.pid() + "\n");
            Path marker = dir.resolve("pid");
            Process flock = new ProcessBuilder("flock", pidfile.toString(), "sh", "-c",
                    "echo $$ > \"$1\"; exec sleep 30", "sh", marker.toString()).start();
            pidlock.killLater(flock.pid());
            long holder = awaitPid(marker);
            pidlock.killLater(holder);

            Launcher.Result text = pidlock.run("status", "--pidfile", pidfile.toString()).exits(0);
            assertTrue(text.stdout().contains("does not hold the lock"), text::toString);
            assertTrue(text.stdout().contains("pid " + innocent.pid()), text::toString);
            Map<String, Object> s = Json.object(Json.parse(
                    pidlock.run("status", "--json", "--pidfile", pidfile.toString()).exits(0).stdout()));
            assertEquals("running", s.get("status"));
            assertTrue(Json.array(s.get("holders")).contains(holder), s::toString);
            assertTrue(!Json.array(s.get("holders")).contains(innocent.pid()), s::toString);
            assertEquals(innocent.pid(), s.get("pidfile_pid"), s::toString);
            assertEquals(Boolean.FALSE, s.get("pid_confirmed"), s::toString);
            assertTrue(s.get("pid") instanceof Long l && l != innocent.pid(), () -> "names a holder: " + s);
        } finally {
            innocent.destroyForcibly();
        }
    }

    private static double number(Map<String, Object> o, String field) {
        Object v = o.get(field);
        assertInstanceOf(Number.class, v, () -> field + " is a number: " + o);
        return ((Number) v).doubleValue();
    }

    @Test
    void statusOfADeadPidfileIsOne() throws IOException, InterruptedException {
        Path pidfile = dir.resolve("svc.pid");
        long dead = StartStopLauncherTest.exitedPid();
        Files.writeString(pidfile, dead + "\n");
        Launcher.Result text = pidlock.run("status", "--pidfile", pidfile.toString()).exits(1);
        assertTrue(text.stdout().startsWith("svc -- pid: " + dead + ", status: dead"), text::toString);
        Map<String, Object> s = Json.object(Json.parse(
                pidlock.run("status", "--json", "--pidfile", pidfile.toString()).exits(1).stdout()));
        assertEquals("dead", s.get("status"));
        assertEquals(dead, s.get("pid"));
        assertEquals(Boolean.FALSE, s.get("locked"));
        assertEquals(0L, s.get("processes"));
        assertTrue(Files.exists(pidfile), "status changes nothing");
    }

    @Test
    void statusWithoutPidfileIsThree() {
        Launcher.Result text = pidlock.run("status", "--name", "svc", "--dir", dir.toString()).exits(3);
        assertEquals(List.of("svc -- status: not running"), text.stdoutLines(), text::toString);
        Map<String, Object> s = Json.object(Json.parse(
                pidlock.run("status", "--json", "--name", "svc", "--dir", dir.toString()).exits(3).stdout()));
        assertEquals("not running", s.get("status"));
        assertTrue(s.containsKey("pid"));
        assertNull(s.get("pid"));
        assertTrue(Files.notExists(dir.resolve("svc.pid")), "status creates nothing");
    }

    @Test
    void statusOfADirectoryIsFour() throws IOException {
        Path pidfile = Files.createDirectory(dir.resolve("svc.pid"));
        Launcher.Result text = pidlock.run("status", "--pidfile", pidfile.toString()).exits(4);
        assertTrue(text.stdout().startsWith("svc -- status: unknown"), text::toString);
        Map<String, Object> s = Json.object(Json.parse(
                pidlock.run("status", "--json", "--pidfile", pidfile.toString()).exits(4).stdout()));
        assertEquals("unknown", s.get("status"));
        assertTrue(Files.isDirectory(pidfile));
    }

    @Test
    void backendsListsEverySeven() {
        Launcher.Result r = pidlock.run("backends").exits(0);
        Map<String, String> lines = r.stdoutLines().stream().filter(l -> !l.startsWith(" "))
                .collect(Collectors.toMap(l -> l.split("\\s+")[0], l -> l));
        assertEquals(Set.copyOf(BACKENDS), lines.keySet(), r::toString);
        for (String id : BACKENDS) {
            assertEquals(id.equals("ofd+flock"), lines.get(id).endsWith("(default)"), r::toString);
        }
    }

    @Test
    void backendsAsJson() {
        List<Object> all = Json.array(Json.parse(pidlock.run("backends", "--json").exits(0).stdout()));
        assertEquals(BACKENDS.size(), all.size());
        for (Object o : all) {
            Map<String, Object> b = Json.object(o);
            assertEquals(Set.of("id", "module", "available", "cause", "capabilities", "priority", "default"),
                    b.keySet());
            assertInstanceOf(String.class, b.get("module"));
            assertInstanceOf(Boolean.class, b.get("available"));
            assertInstanceOf(Number.class, b.get("priority"));
            assertTrue(Json.array(b.get("capabilities")).stream().allMatch(String.class::isInstance));
            assertEquals(b.get("id").equals("ofd+flock"), b.get("default"), () -> "the default: " + b);
            assertEquals(Boolean.TRUE.equals(b.get("available")), b.get("cause") == null,
                    () -> "a cause when unavailable: " + b);
        }
        assertEquals(Set.copyOf(BACKENDS), all.stream().map(o -> Json.object(o).get("id")).collect(Collectors.toSet()));
    }

    @Test
    void helpShowsTheExitCodes() {
        Launcher.Result r = pidlock.run("--help").exits(0);
        for (String s : List.of("run", "start", "stop", "restart", "status", "backends", "Exit codes:", "64", "69",
                "73", "75", "77", "126", "127")) {
            assertTrue(r.stdout().contains(s), () -> "--help mentions " + s + ": " + r);
        }
    }
}
