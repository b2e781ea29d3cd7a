package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.testkit.Ledger;
import dev.pidlock.testkit.TortureChild;
import dev.pidlock.testkit.TortureRun;
import dev.pidlock.testkit.TortureSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two lock families on one pidfile: {@code flock(2)} and {@code fcntl} (POSIX, OFD, {@code lockf}, java.nio)
 * locks do not conflict in the kernel, so a backend of one family checks the kernel's lock table for the other
 * after taking its lock. A torture runs a child JVM of every backend at once on one pidfile with a shared
 * {@link Ledger} (no two entries may overlap), and independent lockers of the other family ({@code flock(1)},
 * Python {@code fcntl.lockf}) holding the file keep every single-family backend out until they let go.
 *
 * <p>An independent locker that takes its lock <em>after</em> a pidlock holder checked cannot be stopped by
 * pidlock: it never looks at the other family. So the peers here hold the lock first and pidlock must stay out;
 * the torture's zero-overlap promise is among pidlock's backends.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MixedFamiliesTortureTest {

    static final List<String> BACKENDS = List.of("nio", "ofd+flock", "ofd", "flock", "posix", "lockf");

    @TempDir
    Path dir;

    @BeforeAll
    static void linux() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "OFD locks and /proc/locks are Linux's");
    }

    /** One child JVM per backend, all at once on one pidfile: no entry overlaps another, whatever the families. */
    @Test
    void everyBackendAgainstEveryOtherNeverOverlaps() throws IOException {
        int rounds = TortureSettings.size(150, 3000);
        SplittableRandom random = new SplittableRandom();
        Path pidfile = dir.resolve("mixed.pid");
        List<String> problems = new ArrayList<>();
        long entries = 0;
        try (Ledger ledger = Ledger.create(dir.resolve("ledger")); TortureRun run = new TortureRun(ledger)) {
            try {
                for (String backend : BACKENDS) {
                    run.start(TortureChild.command("ledger=" + ledger.file(), "pidfile=" + pidfile,
                            "backend=" + backend, "rounds=" + rounds, "seed=" + random.nextLong(), "hold=1000",
                            "wait=1000", "blocking=30"));
                }
                run.goAll();
                List<String> failures = new ArrayList<>();
                List<String> done = run.finishAll(Duration.ofMinutes(4), failures);
                Ledger.Check check = ledger.check();
                entries = check.rounds();
                problems.addAll(check.violations());
                problems.addAll(check.mismatchedRounds(done, rounds));
                problems.addAll(failures);
                assertTrue(problems.isEmpty(), () -> problems.size() + " violation(s) with " + BACKENDS + " in "
                        + ledger.file() + ":" + Ledger.describe(problems, 20) + "\n" + String.join("\n", done));
            } finally {
                TortureSettings.report("exclusion-families", String.join("|", BACKENDS), run.started(), entries, 0,
                        problems.size());
            }
        }
    }

    /** While {@code flock(1)} holds the pidfile, no fcntl-family backend gets it; once it lets go, a waiter does. */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "ofd", "posix", "lockf"})
    void anFcntlBackendStaysOutWhileFlock1Holds(String backend) throws Exception {
        Path pidfile = dir.resolve("peer.pid");
        Files.createFile(pidfile);
        Process peer = new ProcessBuilder("flock", "--exclusive", pidfile.toString(), "sh", "-c",
                "echo locked; read line").start();
        try {
            awaitLine(peer, "locked");
            stayOutThenGetIt(pidfile, backend, peer, "a flock(2) lock");
        } finally {
            peer.destroyForcibly().waitFor();
        }
    }

    /** While Python holds a {@code lockf} lock, the {@code flock} backend stays out; once it lets go, a waiter gets in. */
    @Test
    void theFlockBackendStaysOutWhilePythonLockfHolds() throws Exception {
        Path pidfile = dir.resolve("peer.pid");
        Files.createFile(pidfile);
        Process peer = new ProcessBuilder("python3", "-c", String.join("\n",
                "import fcntl, os, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR)",
                "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
                "print('locked', flush=True)",
                "sys.stdin.readline()"), pidfile.toString()).start();
        try {
            awaitLine(peer, "locked");
            stayOutThenGetIt(pidfile, "flock", peer, "a POSIX fcntl/lockf lock");
        } finally {
            peer.destroyForcibly().waitFor();
        }
    }

    private static void stayOutThenGetIt(Path pidfile, String backend, Process peer, String family)
            throws Exception {
        for (int i = 0; i < 20; i++) {
            assertTrue(PidLock.at(pidfile).backend(backend).tryAcquire().isEmpty(),
                    () -> backend + " acquired a pidfile another process holds with " + family);
        }
        AlreadyLockedException refused = assertThrows(AlreadyLockedException.class,
                () -> PidLock.at(pidfile).backend(backend).acquire().close());
        assertTrue(refused.getMessage().contains(family), refused::getMessage);
        List<Long> peers = new ArrayList<>(List.of(peer.pid()));
        peer.toHandle().descendants().forEach(h -> peers.add(h.pid()));
        assertTrue(refused.holderPid().isPresent() && peers.contains(refused.holderPid().getAsLong()),
                () -> "the holder named is the peer " + peers + ": " + refused.getMessage());
        AlreadyLockedException timedOut = assertThrows(AlreadyLockedException.class,
                () -> PidLock.at(pidfile).backend(backend).acquire(Duration.ofMillis(100)).close());
        assertTrue(timedOut.getMessage().contains("after waiting"), timedOut::getMessage);

        CompletableFuture<PidLock> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return PidLock.at(pidfile).backend(backend).acquire(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        peer.getOutputStream().write('\n');
        peer.getOutputStream().flush();
        assertTrue(peer.waitFor(1, TimeUnit.MINUTES));
        try (PidLock lock = waiter.get(1, TimeUnit.MINUTES)) {
            assertEquals(backend, lock.backend(), "a waiter keeps waiting while the other family holds");
        }
    }

    private static void awaitLine(Process p, String line) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals(line, r.readLine(), "the peer did not lock");
    }
}
