package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The exclusion torture: N child JVMs (2 to 8) each run M rounds of acquire, critical section, release on one
 * pidfile with delete-on-release, random short holds (0–2 ms, often 0), random waits, and a mix of blocking and
 * trying acquisitions ({@link TortureChild}). Every entry and exit goes to a shared {@link Ledger}; the test fails
 * on any overlap, naming the lines. QuickTheories generates the runs (processes, hold and wait bounds, the share
 * of blocking acquisitions, the children's seeds); each run costs child JVMs, so there are few of them. Sizes
 * follow {@link TortureSettings}: about 240 rounds per backend in {@code quick} mode, about 17 000 in
 * {@code long}. A backend module subclasses this and names its backend id:
 *
 * <pre>{@code
 * class NioExclusionTortureTest extends ExclusionTorture {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * @since 0.1
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
public abstract class ExclusionTorture {

    /** How long one run may take before it is called hung; never a speed assertion. */
    static final Duration RUN_PATIENCE = Duration.ofMinutes(20);

    /**
     * A fresh directory per test for the pidfiles and ledgers of its runs.
     *
     * @since 0.1
     */
    @TempDir
    protected Path dir;

    private int runs;
    private long processes;
    private long rounds;
    private long violations;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected ExclusionTorture() {
    }

    /**
     * @return the id of the backend under test
     *
     * @since 0.1
     */
    protected abstract String backendId();

    /**
     * One generated run.
     *
     * @param processes  how many child JVMs
     * @param roundsEach rounds per child
     * @param holdMicros the longest critical section, in microseconds
     * @param waitMicros the longest wait between rounds, in microseconds
     * @param blocking   the share of blocking acquisitions, in percent
     * @param seed       the children's seed (each mixes in its pid)
     */
    record Scenario(int processes, int roundsEach, int holdMicros, int waitMicros, int blocking, long seed) {
        List<String> childOptions(Path ledger, Path pidfile, String backend, int index) {
            return List.of("ledger=" + ledger, "pidfile=" + pidfile, "backend=" + backend, "rounds=" + roundsEach,
                    "seed=" + (seed + index), "hold=" + holdMicros, "wait=" + waitMicros, "blocking=" + blocking);
        }
    }

    /**
     * Runs of 2 to 8 processes, holds and waits up to 2 ms. QuickTheories tries the shrink target, the lower and
     * the upper bounds first: here three different corners (3 processes with middling holds and waits; 2 processes
     * with no hold, no wait and {@code tryAcquire} only, the most churn; 8 processes that hold and wait 2 ms and
     * always block), then random runs.
     *
     * @param roundsPerRun rounds of one run in all, spread over its processes
     * @return the runs
     */
    static Gen<Scenario> scenarios(int roundsPerRun) {
        return Generate.range(2, 8, 3).zip(Generate.range(0, 2000, 500), Generate.range(0, 2000, 500),
                Generate.range(0, 100, 50), longs().all(),
                (n, hold, wait, blocking, seed) -> new Scenario(n, (roundsPerRun + n - 1) / n, hold, wait, blocking,
                        seed));
    }

    /**
     * Many processes, many rounds, one pidfile with delete-on-release: no two of them are ever inside at once,
     * and the ledger holds every round each child says it made.
     */
    @Test
    void noTwoHoldersEverOverlap() {
        try {
            qt().withExamples(TortureSettings.size(3, 6))
                    .withShrinkCycles(4)
                    .forAll(scenarios(TortureSettings.size(80, 2900)))
                    .checkAssert(this::run);
        } finally {
            TortureSettings.report("exclusion", backendId(), processes, rounds, 0, violations);
        }
    }

    private void run(Scenario scenario) {
        try {
            Path runDir = Files.createDirectory(dir.resolve("run" + ++runs));
            Path pidfile = runDir.resolve("torture.pid");
            List<String> problems = new ArrayList<>();
            try (Ledger ledger = Ledger.create(runDir.resolve("ledger")); TortureRun run = new TortureRun(ledger)) {
                List<String> done = List.of();
                try {
                    for (int i = 0; i < scenario.processes(); i++) {
                        run.start(TortureChild.command(scenario.childOptions(ledger.file(), pidfile, backendId(), i)
                                .toArray(String[]::new)));
                    }
                    run.goAll();
                    done = run.finishAll(RUN_PATIENCE, problems);
                } catch (AssertionError e) {
                    problems.add(e.getMessage());
                    run.live().forEach(run::kill);
                } finally {
                    processes += run.started();
                }
                Ledger.Check check = ledger.check();
                problems.addAll(0, check.violations());
                problems.addAll(check.mismatchedRounds(done, scenario.roundsEach()));
                rounds += check.rounds();
                violations += problems.size();
                assertTrue(problems.isEmpty(), () -> backendId() + ", " + scenario + ": " + problems.size()
                        + " violation(s) in " + ledger.file() + ":" + Ledger.describe(problems, 20));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
