package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger checker the torture suites rely on: it must see every overlap and nothing else. */
class LedgerTest {

    @TempDir
    Path dir;

    private static List<String> violations(String... lines) {
        return Ledger.check(List.of(lines)).violations();
    }

    @Test
    void serialRoundsAreClean() {
        Ledger.Check check = Ledger.check(List.of("enter 1 0", "exit 1 0", "enter 2 0", "exit 2 0", "enter 1 1",
                "exit 1 1"));
        assertEquals(List.of(), check.violations());
        assertEquals(Map.of("1", 2L, "2", 1L), check.roundsById());
        assertEquals(3, check.rounds());
    }

    @Test
    void anEntryWhileAnotherIsInsideIsAnOverlapNamingBothLines() {
        List<String> v = violations("enter 1 0", "enter 2 0", "exit 1 0", "exit 2 0");
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("line 2 \"enter 2 0\"") && v.get(0).contains("line 1 \"enter 1 0\""), v.get(0));
    }

    @Test
    void aKillTakesTheVictimOutOnlyFromItsLineOn() {
        assertEquals(List.of(), violations("enter 1 0", "kill 1", "enter 2 0", "exit 2 0"));
        assertEquals(1, violations("enter 1 0", "enter 2 0", "kill 1", "exit 2 0").size());
        assertEquals(List.of(), violations("kill 3", "enter 1 0", "exit 1 0"), "a kill outside is nothing");
    }

    @Test
    void aHoldCountsAsInsideUntilItsKill() {
        assertEquals(1, violations("hold 1 LOCKED", "enter 2 0", "exit 2 0", "kill 1").size());
        assertEquals(List.of(), violations("hold 1 LOCKED", "kill 1", "enter 2 0", "exit 2 0"));
        assertEquals(1, violations("hold 1 LOCKED", "exit 1 0").size(), "a hold ends with a kill, not an exit");
    }

    @Test
    void brokenLinesAreViolations() {
        assertEquals(1, violations("exit 1 0").size(), "exit without enter");
        assertEquals(1, violations("enter 1 0", "exit 1 1").size(), "exit of another round");
        assertEquals(1, violations("enter 1 0").size(), "never left");
        assertEquals(2, violations("enter 1 0", "exit 1 0", "enter 2", "kill 1 2").size(), "malformed");
    }

    /**
     * Serial schedules of any interleaving of IDs are clean; one more {@code enter} put inside any of their
     * critical sections is exactly one overlap.
     */
    @Test
    void anySerialScheduleIsCleanAndAnyEntryPutInsideItIsOneOverlap() {
        qt().withExamples(300).forAll(lists().of(integers().between(1, 5)).ofSizeBetween(1, 40),
                integers().between(0, 1000)).checkAssert((ids, where) -> {
                    List<String> lines = new ArrayList<>();
                    Map<Integer, Integer> round = new HashMap<>();
                    for (int id : ids) {
                        int r = round.merge(id, 1, Integer::sum) - 1;
                        lines.add("enter " + id + " " + r);
                        lines.add("exit " + id + " " + r);
                    }
                    assertEquals(List.of(), Ledger.check(lines).violations());
                    int section = where % ids.size();
                    List<String> broken = new ArrayList<>(lines);
                    broken.add(2 * section + 1, "enter 9 0");
                    broken.add(2 * section + 3, "exit 9 0");
                    List<String> v = Ledger.check(broken).violations();
                    assertEquals(1, v.size(), broken + " gave " + v);
                    assertTrue(v.get(0).startsWith("overlap: line " + (2 * section + 2) + " \"enter 9 0\""), v.get(0));
                });
    }

    /** Many threads appending at once: every line arrives whole, once. */
    @Test
    void appendsFromManyWritersNeverTear() throws Exception {
        int writers = 4;
        int each = 500;
        List<Ledger> ledgers = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                Ledger ledger = Ledger.create(dir.resolve("ledger"));
                ledgers.add(ledger);
                int id = w;
                done.add(ex.submit(() -> {
                    for (int r = 0; r < each; r++) {
                        ledger.append("kill " + id + "x".repeat(r % 50));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            ex.shutdownNow();
            ledgers.forEach(Ledger::close);
        }
        Ledger.Check check = Ledger.check(ledgers.get(0).lines());
        assertEquals(List.of(), check.violations());
        assertEquals(writers * each, check.kills());
    }
}
