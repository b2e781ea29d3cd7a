package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.testkit.Ledger;
import dev.pidlock.testkit.TortureChild;
import dev.pidlock.testkit.TortureRun;
import dev.pidlock.testkit.TortureSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exclusion torture with independent lockers mixed in: child JVMs holding the pidfile with {@code ofd+flock}
 * (the Linux default, which conflicts with both lock families) take turns with {@code flock(1)} loops, then with
 * Python {@code fcntl.lockf} loops, all on one pidfile and one ledger. No entry may overlap another, whoever
 * made it.
 *
 * <p>pidlock keeps its default here, delete-on-release, and the peers are careful lockers: after locking they
 * check that the path still names the locked inode, and start over when it does not (see
 * {@code src/test/resources/peers/flock1_loop.sh} and {@code lockf_loop.py}). A naive peer that skips the check
 * can hold a lock on the inode pidlock just unlinked while the next pidlock holder locks the new file: that
 * overlap would be the peer's bug, not pidlock's, and the ledger would show it. Running pidlock with
 * keep-file instead would hide the unlink race from pidlock's own waiters too, which is the part of the mixed
 * run most worth testing. Each run must also show hand-overs both ways between pidlock and the peers, or it
 * proved nothing.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class MixedPeersExclusionTortureTest {

    static final Path PEERS = Path.of("src/test/resources/peers").toAbsolutePath();
    static final String PIDLOCK_BACKEND = "ofd+flock";
    static final int PIDLOCK_CHILDREN = 2;
    static final int PEER_LOOPS = 2;
    /**
     * The longest wait of pidlock's children between rounds. A round of a peer costs a few processes (flock(1), a
     * shell, stat) or a Python interpreter's pace: pidlock's children wait longer between rounds so that all of
     * them are at it at the same time, not one kind after the other.
     */
    static final int PIDLOCK_WAIT_MICROS = 10_000;

    @TempDir
    Path dir;

    @BeforeAll
    static void linuxWithPeers() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "OFD locks and /proc are Linux's");
        assertTrue(Files.isRegularFile(PEERS.resolve("flock1_loop.sh")) && Files.isRegularFile(
                PEERS.resolve("lockf_loop.py")), "missing peers in " + PEERS);
    }

    /** {@code ofd+flock} against {@code flock(1)}: the flock(2) half of pidlock's lock keeps them apart. */
    @Test
    void ofdFlockChildrenAndFlock1LoopsNeverOverlap() throws IOException {
        run("flock(1)", (pidfile, ledger, rounds, seed) -> List.of("/bin/bash",
                PEERS.resolve("flock1_loop.sh").toString(), "loop", pidfile.toString(), ledger.toString(),
                Integer.toString(rounds)));
    }

    /** {@code ofd+flock} against Python {@code lockf}: the OFD half conflicts with POSIX record locks. */
    @Test
    void ofdFlockChildrenAndPythonLockfLoopsNeverOverlap() throws IOException {
        run("py-lockf", (pidfile, ledger, rounds, seed) -> List.of("python3", "-I",
                PEERS.resolve("lockf_loop.py").toString(), pidfile.toString(), ledger.toString(),
                Integer.toString(rounds), Long.toString(seed)));
    }

    /** How to start one peer loop. */
    interface Peer {
        List<String> command(Path pidfile, Path ledger, int rounds, long seed);
    }

    private void run(String peerName, Peer peer) throws IOException {
        int rounds = TortureSettings.size(30, 1500);
        SplittableRandom random = new SplittableRandom();
        Path pidfile = dir.resolve("mixed.pid");
        List<String> problems = new ArrayList<>();
        long entries = 0;
        try (Ledger ledger = Ledger.create(dir.resolve("ledger")); TortureRun run = new TortureRun(ledger)) {
            try {
                for (int i = 0; i < PIDLOCK_CHILDREN; i++) {
                    run.start(TortureChild.command("ledger=" + ledger.file(), "pidfile=" + pidfile,
                            "backend=" + PIDLOCK_BACKEND, "rounds=" + rounds, "seed=" + random.nextLong(),
                            "hold=2000", "wait=" + PIDLOCK_WAIT_MICROS, "blocking=50"));
                }
                for (int i = 0; i < PEER_LOOPS; i++) {
                    run.start(peer.command(pidfile, ledger.file(), rounds, random.nextLong()));
                }
                run.goAll();
                List<String> failures = new ArrayList<>();
                List<String> done = run.finishAll(Duration.ofMinutes(20), failures);
                Ledger.Check check = ledger.check();
                entries = check.rounds();
                problems.addAll(check.violations());
                problems.addAll(check.mismatchedRounds(done, rounds));
                problems.addAll(failures);
                problems.addAll(handOvers(ledger.lines()));
                assertTrue(problems.isEmpty(), () -> PIDLOCK_BACKEND + " against " + peerName + ": " + problems.size()
                        + " violation(s) in " + ledger.file() + ":" + Ledger.describe(problems, 20) + "\n"
                        + String.join("\n", done));
            } finally {
                TortureSettings.report("exclusion-mixed", PIDLOCK_BACKEND + "|" + peerName, run.started(), entries, 0,
                        problems.size());
            }
        }
    }

    /** @return a problem when no entry of a peer follows one of pidlock's, or the other way round */
    private static List<String> handOvers(List<String> lines) {
        boolean toPeer = false;
        boolean toPidlock = false;
        Boolean lastWasPidlock = null;
        for (String line : lines) {
            if (line.startsWith("enter ")) {
                boolean pidlock = Character.isDigit(line.charAt("enter ".length()));
                if (lastWasPidlock != null && lastWasPidlock != pidlock) {
                    toPeer |= !pidlock;
                    toPidlock |= pidlock;
                }
                lastWasPidlock = pidlock;
            }
        }
        return toPeer && toPidlock ? List.of() : List.of("the ledger shows no hand-over " + (toPeer ? "" : "from"
                + " pidlock to a peer ") + (toPeer || toPidlock ? "" : "and none ") + (toPidlock ? "" : "from a peer"
                + " to pidlock") + ": pidlock and the peers never took turns");
    }
}
