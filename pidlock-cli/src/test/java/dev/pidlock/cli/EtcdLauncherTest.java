package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.pidIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code pidlock backends} and {@code pidlock run --backend etcd}, from the built launcher, against one real etcd
 * member on loopback: exclusion across runtime directories (the key is the name's), the command's status passed on
 * and the key released after it, and a lost lock (pidlock stopped past its lease's TTL while another run takes it)
 * signalled to the command, with exit 75.
 */
class EtcdLauncherTest {

    @TempDir
    static Path etcdDir;

    static EtcdServer etcd;

    @TempDir
    Path dir;

    Launcher pidlock;

    @BeforeAll
    static void startEtcd() throws IOException, InterruptedException {
        etcd = EtcdServer.start(etcdDir);
    }

    @AfterAll
    static void stopEtcd() throws InterruptedException {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    /** @return the environment of a run against the test's member, with a lease TTL of 2 s */
    private Map<String, String> env() {
        return Map.of("PIDLOCK_ETCD_ENDPOINTS", etcd.endpoint(), "PIDLOCK_ETCD_TTL", "2");
    }

    private Path runtimeDir(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /** @return the pid the command wrote into the file, failing at once if pidlock ends first */
    private static long awaitPid(Path file, Launcher.Launched run) {
        Launcher.await("a pid in " + file + " from " + run.args, () -> pidIn(file).isPresent() || !run.alive());
        return pidIn(file).orElseThrow(() -> new AssertionError("pidlock ended first: " + run));
    }

    @Test
    void backendsShowsEtcdUnavailableWithoutEndpointsAndAvailableWithThem() {
        Map<String, String> none = new HashMap<>();
        none.put("PIDLOCK_ETCD_ENDPOINTS", null);
        String without = pidlock.shell(none, "exec \"$PIDLOCK\" backends").exits(0).stdout();
        assertTrue(without.contains("etcd       unavailable"), without);
        assertTrue(without.contains("cause: no etcd endpoints configured (dev.pidlock.etcd.endpoints /"
                + " PIDLOCK_ETCD_ENDPOINTS)"), without);
        assertTrue(without.lines().anyMatch(l -> l.endsWith("(default)") && !l.startsWith("etcd")), without);

        String with = pidlock.shell(env(), "exec \"$PIDLOCK\" backends").exits(0).stdout();
        assertTrue(with.contains("etcd       available"), with);
        assertTrue(with.contains("leased"), with);
        assertFalse(with.lines().anyMatch(l -> l.startsWith("etcd") && l.endsWith("(default)")), with);
    }

    @Test
    void runHoldsTheNamesKeyAgainstARunInAnotherDirectoryPassesTheStatusOnAndReleasesIt() throws Exception {
        Path marker = dir.resolve("pid");
        Launcher.Launched first = pidlock.start(env(), "run", "--backend", "etcd", "--name", "nightly", "--dir",
                runtimeDir("a").toString(), "--", "sh", "-c", "echo $$ > \"$1\"; read line; exit 5", "sh",
                marker.toString());
        long command = awaitPid(marker, first);
        pidlock.killLater(command);
        assertTrue(etcd.hasKey("/pidlock/nightly"), "the key is held while the command runs");

        Launcher.Result second = pidlock.start(env(), "run", "--backend", "etcd", "--name", "nightly", "--dir",
                runtimeDir("b").toString(), "--", "true").await().exits(1);
        assertTrue(second.stderr().startsWith("pidlock: "), second::toString);
        assertTrue(first.alive(), first::toString);

        // status from a runtime directory without the pidfile: the cluster says who holds the name, and where
        Launcher.Result status = pidlock.start(env(), "status", "--backend", "etcd", "--name", "nightly", "--dir",
                runtimeDir("b").toString()).await().exits(0);
        assertTrue(status.stdout().contains("status: running"), status::toString);
        Launcher.Result json = pidlock.start(env(), "status", "--json", "--backend", "etcd", "--name", "nightly",
                "--dir", runtimeDir("b").toString()).await().exits(0);
        assertTrue(json.stdout().contains("\"host\":") && json.stdout().contains("\"fencing_token\":"),
                json::toString);

        // the command's stdin is pidlock's, which ProcessBuilder made a pipe: closing it ends `read`
        first.process.getOutputStream().close();
        first.await().exits(5);
        assertFalse(etcd.hasKey("/pidlock/nightly"), "the key is released after the command");
        pidlock.start(env(), "status", "--backend", "etcd", "--name", "nightly", "--dir", runtimeDir("b").toString())
                .await().exits(3);
        pidlock.start(env(), "run", "--backend", "etcd", "--name", "nightly", "--dir", runtimeDir("b").toString(),
                "--", "true").await().exits(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "USR1"})
    void aLostLockIsSignalledToTheCommandAndPidlockExits75(String signal) throws Exception {
        Path marker = dir.resolve("pid");
        Path got = dir.resolve("got");
        String[] lostSignal = signal.equals("TERM") ? new String[0] : new String[] {"--lost-signal", signal};
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", "--backend", "etcd",
                "--name", "lost-" + signal, "--dir", runtimeDir("a").toString()));
        args.addAll(java.util.List.of(lostSignal));
        args.addAll(java.util.List.of("--", "sh", "-c", "trap 'echo " + signal + " > \"$2\"; exit 0' " + signal
                + "; echo $$ > \"$1\"; while :; do sleep 0.1; done", "sh", marker.toString(), got.toString()));
        Launcher.Launched first = pidlock.start(env(), args.toArray(String[]::new));
        long command = awaitPid(marker, first);
        pidlock.killLater(command);

        Procs.signal(first.pid(), "STOP");
        try {
            // waits for the stopped holder's lease to expire (TTL 2 s), then holds the lock
            Path taken = dir.resolve("taken");
            Launcher.Launched second = pidlock.start(env(), "run", "--backend", "etcd", "--name", "lost-" + signal,
                    "--dir", runtimeDir("b").toString(), "--wait", "60s", "--", "sh", "-c",
                    "echo $$ > \"$1\"; exec sleep 60", "sh", taken.toString());
            long holder = awaitPid(taken, second);
            pidlock.killLater(holder);
            assertTrue(second.alive(), second::toString);
        } finally {
            Procs.signal(first.pid(), "CONT");
        }
        Launcher.Result r = first.await().exits(75);
        assertEquals(signal, Files.readString(got).trim(), "the command got SIG" + signal + ": " + r);
        assertTrue(r.stderr().contains("lost the lock"), r::toString);
        assertTrue(etcd.hasKey("/pidlock/lost-" + signal), "the new holder's key stays");
        pidlock.start(env(), "run", "--backend", "etcd", "--name", "lost-" + signal, "--dir",
                runtimeDir("c").toString(), "--", "true").await().exits(1);
    }

    @Test
    void anUnknownLostSignalIsAUsageError() {
        pidlock.start(env(), "run", "--backend", "etcd", "--name", "nightly", "--lost-signal", "NOSUCH", "--",
                "true").await().exits(64).oneErrorLine("unknown signal 'NOSUCH' for --lost-signal");
    }
}
