package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.pidlock.AlreadyRunningException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * PID reuse and foreign pidfiles, generated: unlocked pidfiles written by the test (as a tool that does not
 * lock would write them) naming live unrelated processes ({@code sleep}) that started before the file was
 * written or after it (a reused pid), killed processes, a zombie, this process, pid 0, 1, -1, the negation of
 * a live pid, pid_max and beyond, numbers past {@code Long.MAX_VALUE}, each with whitespace, leading zeros
 * and spoilers (a sign, a trailing letter, a NUL, a no-break space, full-width digits, a second line, padding
 * past 64 bytes). The expected outcome comes from the suite's own reading of PRODUCT.md §4.5–4.6: only a
 * well-formed pid of a live process that may have written the file is respected ({@code AlreadyRunning}
 * naming it, the file untouched, {@code inspect} says running); everything else is taken over and then holds
 * the acquirer's pid. Never a hang, never a signal to anybody (every process of the pool still runs), and
 * nothing beside the pidfile changes.
 *
 * <p>A backend module subclasses it and names its backend id:
 *
 * <pre>{@code
 * class NioForeignPidTortureTest extends ForeignPidTorture {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>Examples per run: every target once, well formed, then {@link TortureSettings#size(int, int) size(40, 400)}
 * generated cases; one {@code TORTURE suite=foreign-pid} line reports them (kills: the {@code sleep} processes
 * killed to make dead pids), a {@code FOREIGN} line the outcomes per target.
 *
 * @since 0.1
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
public abstract class ForeignPidTorture {

    /** How many live and how many killed {@code sleep} processes the generated cases name. */
    private static final int POOL = 3;

    /** pidlock counts a process started up to 2 s after the file's mtime as its writer: stay well clear. */
    private static final Duration CLEAR_OF_TOLERANCE = Duration.ofSeconds(5);

    /**
     * A fresh directory per test.
     *
     * @since 0.1
     */
    @TempDir
    protected Path dir;

    private final List<Process> started = new ArrayList<>();
    private Path area;
    private Path pidfile;
    private final List<Long> live = new ArrayList<>();
    private final List<Instant> liveStart = new ArrayList<>();
    private final List<Long> dead = new ArrayList<>();
    private long zombie;
    private Instant setUpAt;
    private final Map<String, Integer> outcomes = new TreeMap<>();

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected ForeignPidTorture() {
    }

    /**
     * @return the id of the backend under test
     * @since 0.1
     */
    protected abstract String backendId();

    /** Kills the pool of processes the test started. */
    @AfterEach
    void killPool() {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            try {
                p.waitFor(ChildProcess.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Which process, or which number, a generated pidfile names. */
    enum Target {
        /** A live {@code sleep} that started before the file's mtime: it may have written it. */
        LIVE_OLDER,
        /** A live {@code sleep} that started after the file's mtime: a reused pid. */
        LIVE_YOUNGER,
        /** A {@code sleep} killed before the case (its pid may be reused since: the file predates that). */
        DEAD,
        /** An exited process nobody reaps. */
        ZOMBIE,
        /** The acquirer itself. */
        SELF,
        /** 0. */
        ZERO,
        /** 1, init. */
        ONE,
        /** -1, every process to {@code kill(2)}. */
        MINUS_ONE,
        /** The negation of a live pid: its process group to {@code kill(2)}. */
        NEGATED_LIVE,
        /** pid_max itself, which no process has. */
        PID_MAX,
        /** Above pid_max. */
        ABOVE_PID_MAX,
        /** {@code Long.MAX_VALUE}. */
        LONG_MAX,
        /** More digits than a long holds. */
        BEYOND_LONG
    }

    /** What spoils an otherwise well-formed number. */
    enum Spoiler {
        /** Nothing: only ASCII whitespace and leading zeros around the digits. */
        NONE,
        /** {@code +1234}. */
        PLUS_SIGN,
        /** {@code 1234x}. */
        TRAILING_LETTER,
        /** {@code 1234\0}. */
        NUL_AFTER,
        /** A no-break space (U+00A0) before the digits. */
        NBSP_BEFORE,
        /** Full-width digits (U+FF10…). */
        FULLWIDTH_DIGITS,
        /** {@code 1234\n1234}. */
        SECOND_LINE,
        /** Spaces before the digits until the file holds more than 64 bytes. */
        PADDED_PAST_64
    }

    /**
     * One generated pidfile.
     *
     * @param target  what it names
     * @param which   which process of the pool, for the targets that name one
     * @param before  ASCII whitespace before the number
     * @param zeros   leading zeros
     * @param after   ASCII whitespace after the number
     * @param spoiler what spoils the number, if anything
     * @param seconds how far the file's mtime lies from the pool process's start (or before the pool)
     * @param big     a large positive number for the targets beyond pid_max
     */
    record Case(Target target, int which, String before, int zeros, String after, Spoiler spoiler, long seconds,
                long big) {
        @Override
        public String toString() {
            return "Case[" + target + " #" + which + ", before=" + ReferenceReading.show(before, 20) + ", zeros="
                    + zeros + ", after=" + ReferenceReading.show(after, 20) + ", " + spoiler + ", " + seconds
                    + " s, big=" + big + "]";
        }
    }

    private static Gen<Case> cases() {
        List<Target> weighted = new ArrayList<>();
        Collections.addAll(weighted, Target.values());
        Collections.addAll(weighted, Target.LIVE_OLDER, Target.LIVE_OLDER, Target.LIVE_OLDER, Target.LIVE_YOUNGER,
                Target.LIVE_YOUNGER, Target.DEAD, Target.NEGATED_LIVE);
        List<Spoiler> spoilers = new ArrayList<>();
        Collections.addAll(spoilers, Spoiler.values());
        spoilers.addAll(Collections.nCopies(9, Spoiler.NONE));
        Gen<String> space = lists().of(Generate.pick(List.of(" ", "\t", "\n", "\r\n", "\u000B", "\f")))
                .ofSizeBetween(0, 3).map(l -> String.join("", l));
        Gen<String> pads = Generate.pick(List.of("", "", "", "\n")).mix(space, 40);
        Gen<Long> seconds = longs().between(0, Duration.ofDays(30).toSeconds());
        Gen<Long> big = longs().between(1, 1_000_000_000L);
        Gen<Case> head = Generate.pick(weighted).zip(integers().between(0, POOL - 1), pads, integers().between(0, 3),
                (t, w, b, z) -> new Case(t, w, b, z, "", Spoiler.NONE, 0, 0));
        return head.zip(pads, Generate.pick(spoilers), seconds, big,
                (c, a, s, sec, n) -> new Case(c.target(), c.which(), c.before(), c.zeros(), a, s, sec, n));
    }

    /**
     * Whatever an unlocked pidfile names, pidlock respects it only when it is a well-formed pid of a live
     * process that started before the file was written; otherwise it takes the file over, and then the file
     * holds the acquirer's pid. Nobody is signalled, nothing hangs, nothing else changes.
     *
     * @throws IOException when the pool or the directory cannot be set up
     */
    @Test
    void foreignPidIsRespectedOnlyWhenALiveProcessMayHaveWrittenIt() throws IOException {
        setUpPool();
        area = Files.createDirectory(dir.resolve("area"));
        pidfile = area.resolve("foreign.pid");
        Path sentinel = area.resolve("sentinel.txt");
        Files.writeString(sentinel, "sentinel\n");
        Files.setLastModifiedTime(sentinel, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));

        AtomicLong rounds = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        outcomes.clear();
        try {
            // every target once, well formed, before the generated cases: the corners are always covered
            for (Target t : Target.values()) {
                guarded(rounds, violations, new Case(t, 0, "", 0, "\n", Spoiler.NONE, 60, 1));
            }
            qt().withExamples(TortureSettings.size(40, 400)).withShrinkCycles(30).forAll(cases())
                    .checkAssert(c -> guarded(rounds, violations, c));
        } finally {
            TortureSettings.report("foreign-pid", backendId(), started.size() + 2L, rounds.get(), dead.size(),
                    violations.get());
            System.out.println("FOREIGN backend=" + backendId() + " outcomes=" + outcomes);
        }
    }

    /** Runs one case: counts it, counts a failure as a violation, and always removes the pidfile. */
    private void guarded(AtomicLong rounds, AtomicLong violations, Case c) {
        rounds.incrementAndGet();
        try {
            check(c);
        } catch (IOException e) {
            violations.incrementAndGet();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | AssertionError e) {
            violations.incrementAndGet();
            throw e;
        } finally {
            reset();
        }
    }

    private void setUpPool() throws IOException {
        setUpAt = Instant.now();
        for (int i = 0; i < POOL; i++) {
            Process doomed = start("sleep", "600");
            doomed.destroyForcibly();
            try {
                assertTrue(doomed.waitFor(ChildProcess.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            dead.add(doomed.pid());
        }
        for (int i = 0; i < POOL; i++) {
            Process p = start("sleep", "600");
            live.add(p.pid());
            liveStart.add(ReferenceReading.start(p.pid()).orElseThrow(
                    () -> new AssertionError("no start time for pid " + p.pid())));
        }
        // sh starts `true` in the background, then becomes `sleep`, which never reaps it: a zombie.
        Process parent = start("sh", "-c", "true & exec sleep 600");
        long found = -1;
        for (int i = 0; i < 1000 && found < 0; i++) {
            Optional<ProcessHandle> child = parent.toHandle().children().findFirst();
            if (child.isPresent() && ReferenceReading.state(child.get().pid()).equals("Z")) {
                found = child.get().pid();
            } else {
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
        assertTrue(found > 0, "no zombie appeared under " + parent.pid());
        zombie = found;
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private PidLock.Builder lock() {
        return PidLock.at(pidfile).backend(backendId());
    }

    private String number(Case c) {
        return switch (c.target()) {
            case LIVE_OLDER, LIVE_YOUNGER -> Long.toString(live.get(c.which()));
            case DEAD -> Long.toString(dead.get(c.which()));
            case ZOMBIE -> Long.toString(zombie);
            case SELF -> Long.toString(ProcessHandle.current().pid());
            case ZERO -> "0";
            case ONE -> "1";
            case MINUS_ONE -> "-1";
            case NEGATED_LIVE -> "-" + live.get(c.which());
            case PID_MAX -> Long.toString(ReferenceReading.pidMax());
            case ABOVE_PID_MAX -> Long.toString(ReferenceReading.pidMax() + c.big());
            case LONG_MAX -> Long.toString(Long.MAX_VALUE);
            case BEYOND_LONG -> Long.MAX_VALUE + Long.toString(c.big());
        };
    }

    private byte[] content(Case c) {
        String digits = "0".repeat(c.zeros()) + number(c);
        String text = switch (c.spoiler()) {
            case NONE, PADDED_PAST_64 -> c.before() + digits + c.after();
            case PLUS_SIGN -> c.before() + "+" + digits + c.after();
            case TRAILING_LETTER -> c.before() + digits + "x" + c.after();
            case NUL_AFTER -> c.before() + digits + "\0" + c.after();
            case NBSP_BEFORE -> c.before() + "\u00a0" + digits + c.after();
            case FULLWIDTH_DIGITS -> c.before() + fullWidth(digits) + c.after();
            case SECOND_LINE -> c.before() + digits + "\n" + digits + c.after();
        };
        if (c.spoiler() == Spoiler.PADDED_PAST_64) {
            text = " ".repeat(Math.max(0, ReferenceReading.MAX_BYTES + 1 - text.length())) + text;
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String fullWidth(String digits) {
        StringBuilder sb = new StringBuilder();
        digits.chars().forEach(ch -> sb.append(ch >= '0' && ch <= '9' ? (char) ('\uff10' + ch - '0') : (char) ch));
        return sb.toString();
    }

    private Instant mtime(Case c) {
        Duration offset = Duration.ofSeconds(c.seconds());
        return switch (c.target()) {
            case LIVE_OLDER -> liveStart.get(c.which()).plus(offset.toSeconds() % Duration.ofDays(2).toSeconds(),
                    java.time.temporal.ChronoUnit.SECONDS);
            case LIVE_YOUNGER -> liveStart.get(c.which()).minus(CLEAR_OF_TOLERANCE).minus(offset);
            case DEAD -> setUpAt.minus(CLEAR_OF_TOLERANCE).minus(offset);
            // the most credible file for numbers that are never a holder: written now, after every process
            default -> Instant.now();
        };
    }

    private void check(Case c) throws IOException {
        byte[] bytes = content(c);
        Files.write(pidfile, bytes);
        Files.setLastModifiedTime(pidfile, FileTime.from(mtime(c)));
        FileTime written = Files.getLastModifiedTime(pidfile);
        OptionalLong named = ReferenceReading.namedPid(bytes, bytes.length);
        boolean respected = c.target() == Target.LIVE_OLDER && named.isPresent();
        String what = c + " content " + ReferenceReading.show(bytes, 80) + " mtime " + written;
        TreeSnapshot before = TreeSnapshot.take(area);

        PidLock held = null;
        AlreadyRunningException running = null;
        try {
            held = Liveness.within("acquire", () -> lock().acquire());
        } catch (AlreadyRunningException e) {
            running = e;
        } catch (PidLockException e) {
            throw new AssertionError("unexpected " + e + " for " + what, e);
        } catch (Exception e) {
            throw new AssertionError(e + " for " + what, e);
        }
        outcomes.merge(c.target() + (running != null ? ":running" : ":taken-over"), 1, Integer::sum);
        try {
            if (respected) {
                long pid = named.getAsLong();
                assertTrue(running != null, "must be respected as already running: " + what);
                assertEquals(pid, running.pid(), what);
                String m = running.getMessage();
                assertTrue(m.contains(Long.toString(pid)) && m.contains(pidfile.toString()) && !m.contains("\n"),
                        "one line naming the path and pid " + pid + ": " + m);
                assertArrayEquals(bytes, Files.readAllBytes(pidfile), "a respected file is not touched: " + what);
                assertEquals(written, Files.getLastModifiedTime(pidfile), "a respected file is not touched: " + what);
                PidFileStatus status = Liveness.within("inspect", () -> lock().inspect());
                assertEquals(PidFileStatus.State.RUNNING, status.state(), status + " for " + what);
                assertEquals(pid, status.pid().orElseThrow(), status + " for " + what);
                Optional<PidLock> again = Liveness.within("tryAcquire", () -> lock().tryAcquire());
                again.ifPresent(PidLock::close);
                assertTrue(again.isEmpty(), "tryAcquire must not take a respected file: " + what);
            } else {
                assertTrue(held != null, "must be taken over, not " + running + ": " + what);
                byte[] now = ReferenceReading.catBytes(pidfile);
                assertEquals(ProcessHandle.current().pid() + "\n", new String(now, StandardCharsets.ISO_8859_1),
                        "after a takeover the file holds the acquirer's pid: " + what);
                PidLock mine = held;
                Liveness.within("release", () -> {
                    mine.close();
                    return null;
                });
                held = null;
                assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "release removes the file: " + what);
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e + " for " + what, e);
        } finally {
            if (held != null) {
                held.close();
            }
        }
        for (long pid : live) {
            assertTrue(ReferenceReading.runs(pid) && !ReferenceReading.state(pid).equals("T"),
                    "pool process " + pid + " must still run untouched (state " + ReferenceReading.state(pid) + "): "
                            + what);
        }
        assertEquals("Z", ReferenceReading.state(zombie), "the zombie stays as it was: " + what);
        List<String> changes = TreeSnapshot.take(area).changesSince(before, pidfile);
        assertTrue(changes.isEmpty(), "only the pidfile may change: " + changes + " for " + what);
    }

    private void reset() {
        try {
            Files.deleteIfExists(pidfile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
