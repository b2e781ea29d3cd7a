package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * The crash torture: three child JVMs acquire and release one pidfile (delete-on-release) without end while the
 * test kills one of them with {@code SIGKILL}, again and again, and starts another in its place. Random kill
 * timing alone rarely hits the narrow windows, so most kills are aimed: the victim runs its real backend through
 * a decorator that stops at a chosen point of the algorithm and says so, and is killed exactly there:
 *
 * <ul>
 * <li>{@code OPENED}: between open and lock (for {@code lockf}, maybe right after creating the file);</li>
 * <li>{@code LOCKED}: between lock and write (the victim appends {@code hold} to the ledger first);</li>
 * <li>{@code INSIDE}: inside the critical section;</li>
 * <li>{@code DELETED}: between the unlink of the released pidfile and the unlock;</li>
 * <li>{@code ANYWHERE}: wherever the victim happens to be a few milliseconds after it was chosen.</li>
 * </ul>
 *
 * The promises: no double grant (the {@link Ledger} shows no overlap; the victim counts as inside until its
 * {@code kill} line, see {@link TortureRun#kill}), no deadlock (after every kill somebody enters within
 * {@link #AFTER_KILL}, a generous bound and never a speed assertion: {@code lockf} waits out its one-second grace
 * for a creator that died before locking), and every survivor's rounds are all in the ledger. QuickTheories
 * generates the kill plans (points, victims, pauses before the kill; the simplest plan visits every point in
 * turn); sizes follow {@link TortureSettings}: 6 kills per backend in {@code quick} mode, 200 in {@code long}.
 * Linux only: the kills stop their victim exactly with the help of {@code /proc}. A backend module subclasses
 * this and names its backend id:
 *
 * <pre>{@code
 * class NioCrashTortureTest extends CrashTorture {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * @since 0.1
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
public abstract class CrashTorture {

    /**
     * How soon after a kill somebody must have entered: the no-deadlock bound, not a speed target.
     *
     * @since 0.1
     */
    public static final Duration AFTER_KILL = Duration.ofSeconds(30);

    /** How many children acquire at any time. */
    static final int PROCESSES = 3;

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
    private long kills;
    private long violations;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected CrashTorture() {
    }

    /**
     * @return the id of the backend under test
     *
     * @since 0.1
     */
    protected abstract String backendId();

    /** Where a victim is killed. */
    enum Where {
        /** Wherever it is, unaimed. */
        ANYWHERE(null),
        /** See {@link PausingBackend.Point#OPENED}. */
        OPENED(PausingBackend.Point.OPENED),
        /** See {@link PausingBackend.Point#LOCKED}. */
        LOCKED(PausingBackend.Point.LOCKED),
        /** See {@link PausingBackend.Point#INSIDE}. */
        INSIDE(PausingBackend.Point.INSIDE),
        /** See {@link PausingBackend.Point#DELETED}. */
        DELETED(PausingBackend.Point.DELETED);

        final PausingBackend.Point point;

        Where(PausingBackend.Point point) {
            this.point = point;
        }
    }

    /**
     * One kill.
     *
     * @param where  where the victim is killed
     * @param victim which live child, modulo their number
     * @param dwell  microseconds between choosing (or the victim's pause) and the kill
     */
    record Kill(Where where, int victim, int dwell) {
    }

    /**
     * One generated run.
     *
     * @param kills the kills, in order
     * @param seed  the children's seed
     */
    record Plan(List<Kill> kills, long seed) {
    }

    /**
     * Plans of {@code size} kills. QuickTheories tries the bounds of every range first (all zeros, then all
     * maximums), so a drawn value is not used as it is: kill {@code i} goes to point {@code (i + drawn) mod 5}
     * and victim {@code i + drawn}, which makes the simplest plan visit every point and every child in turn, and
     * a random plan a random one.
     *
     * @param size kills per plan
     * @return the plans
     */
    static Gen<Plan> plans(int size) {
        Gen<Kill> kill = integers().between(0, 9999).zip(integers().between(0, 99), integers().between(0, 5000),
                (where, victim, dwell) -> new Kill(Where.values()[where % Where.values().length], victim, dwell));
        return lists().of(kill).ofSize(size).zip(longs().all(), (drawn, seed) -> {
            Where[] points = Where.values();
            List<Kill> kills = new ArrayList<>();
            for (int i = 0; i < drawn.size(); i++) {
                Kill k = drawn.get(i);
                kills.add(new Kill(points[(i + k.where().ordinal()) % points.length], i + k.victim(), k.dwell()));
            }
            return new Plan(List.copyOf(kills), seed);
        });
    }

    /**
     * Holders killed with {@code SIGKILL} at the narrow points of the algorithm and anywhere else, while others
     * keep acquiring: never two inside at once, and the lock is taken again after every kill.
     */
    @Test
    void killedHoldersNeverCauseADoubleGrantOrADeadlock() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")),
                "stopping a victim exactly (TortureRun.kill) needs Linux /proc");
        try {
            qt().withExamples(TortureSettings.size(1, 4))
                    .withShrinkCycles(3)
                    .forAll(plans(TortureSettings.size(6, 50)))
                    .checkAssert(this::run);
        } finally {
            TortureSettings.report("crash", backendId(), processes, rounds, kills, violations);
        }
    }

    private void run(Plan plan) {
        try {
            Path runDir = Files.createDirectory(dir.resolve("run" + ++runs));
            Path pidfile = runDir.resolve("torture.pid");
            SplittableRandom random = new SplittableRandom(plan.seed());
            List<String> problems = new ArrayList<>();
            try (Ledger ledger = Ledger.create(runDir.resolve("ledger")); TortureRun run = new TortureRun(ledger)) {
                List<String> done = List.of();
                try {
                    killAll(plan, run, pidfile, random, problems);
                    if (problems.isEmpty()) {
                        run.live().forEach(c -> c.send("stop"));
                        done = run.finishAll(ExclusionTorture.RUN_PATIENCE, problems);
                    }
                } catch (AssertionError e) {
                    problems.add(e.getMessage());
                } finally {
                    run.live().forEach(run::kill);
                    processes += run.started();
                }
                Ledger.Check check = ledger.check();
                problems.addAll(0, check.violations());
                problems.addAll(check.mismatchedRounds(done, 0));
                rounds += check.rounds();
                violations += problems.size();
                assertTrue(problems.isEmpty(), () -> backendId() + ", " + plan + ": " + problems.size()
                        + " violation(s) in " + ledger.file() + ":" + Ledger.describe(problems, 20));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills as planned, each time starting a replacement; stops at the first kill after which nobody enters. */
    private void killAll(Plan plan, TortureRun run, Path pidfile, SplittableRandom random, List<String> problems)
            throws IOException {
        Ledger ledger = run.ledger();
        for (int i = 0; i < PROCESSES; i++) {
            run.start(child(ledger, pidfile, random));
        }
        run.goAll();
        for (Kill k : plan.kills()) {
            List<ChildProcess> live = run.live();
            ChildProcess victim = live.get(k.victim() % live.size());
            if (k.where().point != null) {
                victim.send("pause " + k.where().point);
                String said = victim.nextLine();
                if (!said.equals("PAUSED " + k.where().point + " " + victim.pid())) {
                    throw new AssertionError("victim " + victim.pid() + " said \"" + said + "\" when told to pause at "
                            + k.where() + "; stderr:\n" + victim.stderr());
                }
            }
            LockSupport.parkNanos(k.dwell() * 1000L);
            long before = run.kill(victim);
            kills++;
            ChildProcess replacement = run.start(child(ledger, pidfile, random));
            String killLine = TortureRun.killLine(victim);
            if (ledger.awaitEnterAfter(before, killLine, AFTER_KILL) == null) {
                problems.add("nobody entered within " + AFTER_KILL + " after \"" + killLine + "\" (killed " + k.where()
                        + ")");
                return;
            }
            run.go(replacement);
        }
    }

    private List<String> child(Ledger ledger, Path pidfile, SplittableRandom random) {
        return TortureChild.command("ledger=" + ledger.file(), "pidfile=" + pidfile, "backend=" + backendId(),
                "seed=" + random.nextLong(), "hold=" + random.nextInt(2001), "wait=" + random.nextInt(2001),
                "blocking=" + random.nextInt(101), "pausable");
    }
}
