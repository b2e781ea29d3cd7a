package dev.pidlock.example.mkdir;

import static dev.pidlock.example.mkdir.Fixtures.entries;
import static dev.pidlock.example.mkdir.Fixtures.local;
import static dev.pidlock.example.mkdir.Fixtures.lockDir;
import static dev.pidlock.example.mkdir.Fixtures.owner;
import static dev.pidlock.example.mkdir.Fixtures.plant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.testkit.ChildProcess;
import dev.pidlock.testkit.ContractCase;
import dev.pidlock.testkit.TortureSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Several processes break the same stale lock at once, round after round: exactly one of them holds it, the
 * others are refused as locked, and the lock directory names the winner. The stale lock is a dead process's
 * lock directory made by hand in most rounds, and in some a real winner killed with SIGKILL while holding. The
 * racers are child JVMs that wait, warmed up, for the word to go, so that their attempts overlap.
 */
class MkdirBreakRaceTest extends ContractCase {

    private static final int RACERS = 4;

    @Override
    protected String backendId() {
        return MkdirBackend.ID;
    }

    private ChildProcess racer() throws IOException {
        ChildProcess c = closeAfterwards(ChildProcess.start(null,
                ChildProcess.javaCommand(RacerChild.class.getName(), pidfile.toString())));
        c.expect("READY ");
        return c;
    }

    /**
     * Exactly one of the processes that break a stale lock at once holds it, in every round.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void ofTheProcessesBreakingOneStaleLockExactlyOneWins() throws IOException {
        int rounds = TortureSettings.size(30, 1000);
        int killEvery = TortureSettings.size(15, 20);
        List<ChildProcess> racers = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            racers.add(racer());
        }
        int processes = RACERS;
        int kills = 0;
        int violations = 0;
        ChildProcess killed = null;
        for (int round = 1; round <= rounds; round++) {
            if (killed == null) {
                long dead = deadPid();
                Files.writeString(pidfile, dead + "\n");
                plant(pidfile, local(dead, Instant.now().minus(Duration.ofSeconds(1))));
            }
            for (ChildProcess r : racers) {
                r.send("go");
            }
            List<Long> winners = new ArrayList<>();
            List<String> losers = new ArrayList<>();
            for (ChildProcess r : racers) {
                String line = r.nextLine();
                if (line.startsWith("WON ")) {
                    winners.add(Long.parseLong(line.substring(4)));
                } else {
                    assertTrue(line.startsWith("LOST locked "), "round " + round + ": " + line + r.stderr());
                    losers.add(line);
                }
            }
            if (winners.size() != 1) {
                violations++;
            }
            assertEquals(1, winners.size(), "round " + round + " (after " + (killed != null ? "a SIGKILL" : "a"
                    + " planted dead owner") + "): winners " + winners + ", losers " + losers);
            long winner = winners.get(0);
            for (String l : losers) {
                String named = l.substring("LOST locked ".length());
                assertTrue(named.equals("-") || named.equals(Long.toString(winner)),
                        "round " + round + ": a loser named another holder than " + winner + ": " + l);
            }
            assertEquals(winner, owner(pidfile).pid(), "round " + round + ": the lock directory names the winner");
            assertEquals(winner + "\n", content(), "round " + round);
            ChildProcess w = racers.stream().filter(r -> r.pid() == winner).findFirst().orElseThrow();
            killed = null;
            if (round % killEvery == 0 && round < rounds) {
                w.kill();
                kills++;
                racers.remove(w);
                racers.add(racer());
                processes++;
                killed = w;
            } else {
                w.send("release");
                w.expect("RELEASED");
                assertFalse(Files.exists(lockDir(pidfile), LinkOption.NOFOLLOW_LINKS),
                        "round " + round + ": release removes the lock directory");
            }
        }
        assertEquals(List.of(), entries(dir).stream().filter(n -> n.endsWith(".new")).toList(),
                "no staging directory is left behind");
        TortureSettings.report("mkdir-break-race", MkdirBackend.ID, processes, rounds, kills, violations);
    }
}
