package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.StaleVerdict.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuiltInDetectorsTest {

    private static final long PID = 4242;
    private static final Instant WRITTEN = Instant.parse("2024-05-01T10:00:00Z");
    private static final Duration TOLERANCE = Duration.ofSeconds(2);
    private static final RecordedHolder HOLDER = new RecordedHolder(PID, Path.of("/run/app.pid"), Optional.of(WRITTEN));

    /** A lookup that knows one process, or none, and records what it was asked. */
    private static final class FakeLookup implements ProcessLookup {
        final Optional<Seen> seen;
        final List<Long> asked = new ArrayList<>();

        FakeLookup(Optional<Seen> seen) {
            this.seen = seen;
        }

        @Override
        public Optional<Seen> find(long pid) {
            asked.add(pid);
            return pid == PID ? seen : Optional.empty();
        }
    }

    private static FakeLookup dead() {
        return new FakeLookup(Optional.empty());
    }

    private static FakeLookup started(Instant start) {
        return new FakeLookup(Optional.of(new ProcessLookup.Seen(Optional.of(start), Optional.empty(), Optional.empty())));
    }

    private static FakeLookup startUnknown() {
        return new FakeLookup(Optional.of(new ProcessLookup.Seen(Optional.empty(), Optional.empty(), Optional.empty())));
    }

    private static FakeLookup running(String commandLine, String executable) {
        return new FakeLookup(Optional.of(new ProcessLookup.Seen(Optional.of(WRITTEN.minusSeconds(60)),
                Optional.ofNullable(commandLine), Optional.ofNullable(executable))));
    }

    private static Kind kind(StaleDetector detector) {
        return detector.assess(HOLDER).kind();
    }

    // ProcessAlive

    @Test
    void processAliveSaysDeadWhenNoProcessHasThePid() {
        FakeLookup lookup = dead();
        StaleVerdict verdict = new BuiltInDetectors.ProcessAlive(lookup).assess(HOLDER);
        assertEquals(Kind.DEAD, verdict.kind());
        assertTrue(verdict.reason().contains(Long.toString(PID)), verdict.reason());
        assertEquals(List.of(PID), lookup.asked);
    }

    @Test
    void processAliveSaysAliveWhenAProcessHasThePid() {
        assertEquals(Kind.ALIVE, kind(new BuiltInDetectors.ProcessAlive(started(WRITTEN.plusSeconds(3600)))));
    }

    // StartTime

    @Test
    void startTimeSaysDeadWhenNoProcessHasThePid() {
        assertEquals(Kind.DEAD, kind(new BuiltInDetectors.StartTime(dead(), TOLERANCE)));
    }

    @Test
    void aProcessThatStartedBeforeTheFileWasWrittenIsAlive() {
        assertEquals(Kind.ALIVE, kind(new BuiltInDetectors.StartTime(started(WRITTEN.minusSeconds(3600)), TOLERANCE)));
        assertEquals(Kind.ALIVE, kind(new BuiltInDetectors.StartTime(started(WRITTEN), TOLERANCE)));
    }

    @Test
    void aProcessThatStartedAfterTheFileWasWrittenReusedThePid() {
        StaleVerdict verdict = new BuiltInDetectors.StartTime(started(WRITTEN.plusSeconds(3)), TOLERANCE).assess(HOLDER);
        assertEquals(Kind.REUSED, verdict.kind());
        assertTrue(verdict.reason().contains("reused"), verdict.reason());
        assertEquals(Kind.REUSED,
                kind(new BuiltInDetectors.StartTime(started(WRITTEN.plus(TOLERANCE).plusNanos(1)), TOLERANCE)));
    }

    @Test
    void aStartWithinTheToleranceCountsAsAlive() {
        assertEquals(Kind.ALIVE, kind(new BuiltInDetectors.StartTime(started(WRITTEN.plusSeconds(1)), TOLERANCE)));
        assertEquals(Kind.ALIVE, kind(new BuiltInDetectors.StartTime(started(WRITTEN.plus(TOLERANCE)), TOLERANCE)));
    }

    @Test
    void aZeroToleranceIsExact() {
        assertEquals(Kind.REUSED,
                kind(new BuiltInDetectors.StartTime(started(WRITTEN.plusMillis(1)), Duration.ZERO)));
    }

    @Test
    void anUnknownStartIsUndecided() {
        assertEquals(Kind.UNDECIDED, kind(new BuiltInDetectors.StartTime(startUnknown(), TOLERANCE)));
    }

    @Test
    void anUnknownFileTimeIsUndecided() {
        RecordedHolder noTime = new RecordedHolder(PID, Path.of("/run/app.pid"), Optional.empty());
        assertEquals(Kind.UNDECIDED,
                new BuiltInDetectors.StartTime(started(WRITTEN.plusSeconds(3600)), TOLERANCE).assess(noTime).kind());
    }

    /** The clock was stepped back after the file was written: its time is in the future and proves nothing. */
    @Test
    void aFileTimeInTheFutureProvesNothing() {
        Instant now = WRITTEN.minus(Duration.ofHours(1));
        StaleVerdict younger = new BuiltInDetectors.StartTime(started(now.minusSeconds(10)), TOLERANCE, () -> now)
                .assess(HOLDER);
        assertEquals(Kind.UNDECIDED, younger.kind(), "not 'started before the pidfile was written': " + younger);
        assertTrue(younger.reason().contains("proves nothing"), younger.reason());
        assertEquals(Kind.UNDECIDED, new BuiltInDetectors.StartTime(started(WRITTEN.plusSeconds(60)), TOLERANCE,
                () -> now).assess(HOLDER).kind(), "a start after now proves no reuse either");
        assertEquals(Kind.UNDECIDED, new BuiltInDetectors.StartTime(started(now.minusSeconds(10)), TOLERANCE,
                () -> now).assess(new RecordedHolder(PID, Path.of("/run/app.pid"),
                        Optional.of(Instant.EPOCH.minusSeconds(1)))).kind(), "before 1970");
        assertEquals(Kind.ALIVE, new BuiltInDetectors.StartTime(started(WRITTEN.minusSeconds(60)), TOLERANCE,
                () -> WRITTEN.minus(TOLERANCE)).assess(HOLDER).kind(), "within the tolerance");
    }

    /** A start after now is impossible: the clock was stepped back since the process started. */
    @Test
    void aStartInTheFutureProvesNoReuse() {
        Instant now = WRITTEN.plusSeconds(60);
        assertEquals(Kind.UNDECIDED, new BuiltInDetectors.StartTime(started(now.plusSeconds(3600)), TOLERANCE,
                () -> now).assess(HOLDER).kind());
    }

    @Test
    void theDefaultToleranceIsTwoSeconds() {
        assertEquals(Duration.ofSeconds(2), BuiltInDetectors.StartTime.DEFAULT_TOLERANCE);
    }

    // CommandLine

    private static BuiltInDetectors.CommandLine expectingBackup(FakeLookup lookup) {
        return new BuiltInDetectors.CommandLine(lookup, line -> line.contains("backup"), "backup");
    }

    @Test
    void aMatchingCommandLineIsAlive() {
        assertEquals(Kind.ALIVE, kind(expectingBackup(running("/usr/bin/backup --full", null))));
    }

    @Test
    void aDifferentCommandLineIsAMismatch() {
        StaleVerdict verdict = expectingBackup(running("/usr/bin/vim notes", null)).assess(HOLDER);
        assertEquals(Kind.MISMATCH, verdict.kind());
        assertTrue(verdict.reason().contains("/usr/bin/vim notes"), verdict.reason());
    }

    @Test
    void anUnreadableCommandLineIsUndecided() {
        assertEquals(Kind.UNDECIDED, kind(expectingBackup(running(null, "/usr/bin/backup"))));
    }

    @Test
    void commandLineSaysDeadWhenNoProcessHasThePid() {
        assertEquals(Kind.DEAD, kind(expectingBackup(dead())));
    }

    // SameExecutable

    @Test
    void theSameExecutableIsAlive() {
        assertEquals(Kind.ALIVE,
                kind(new BuiltInDetectors.SameExecutable(running(null, "/usr/bin/java"), "/usr/bin/java")));
    }

    @Test
    void anotherExecutableIsAMismatch() {
        assertEquals(Kind.MISMATCH,
                kind(new BuiltInDetectors.SameExecutable(running(null, "/usr/bin/python3"), "/usr/bin/java")));
    }

    @Test
    void anUnknownExecutableIsUndecided() {
        assertEquals(Kind.UNDECIDED,
                kind(new BuiltInDetectors.SameExecutable(running("java -jar x.jar", null), "/usr/bin/java")));
        assertEquals(Kind.UNDECIDED, kind(new BuiltInDetectors.SameExecutable(running(null, "/usr/bin/java"), "")));
    }

    @Test
    void sameExecutableSaysDeadWhenNoProcessHasThePid() {
        assertEquals(Kind.DEAD, kind(new BuiltInDetectors.SameExecutable(dead(), "/usr/bin/java")));
    }

    // All

    private static StaleDetector fixed(StaleVerdict verdict) {
        return holder -> verdict;
    }

    private static final StaleDetector MUST_NOT_BE_ASKED = holder -> {
        throw new AssertionError("consulted after a stale verdict");
    };

    @Test
    void theFirstStaleVerdictWins() {
        StaleVerdict dead = StaleVerdict.dead("d");
        StaleVerdict reused = StaleVerdict.reused("r");
        assertSame(dead, new BuiltInDetectors.All(List.of(fixed(StaleVerdict.alive("a")), fixed(dead), fixed(reused)))
                .assess(HOLDER));
        assertSame(reused, new BuiltInDetectors.All(List.of(fixed(StaleVerdict.undecided("u")), fixed(reused),
                fixed(dead))).assess(HOLDER));
        StaleVerdict mismatch = StaleVerdict.mismatch("m");
        assertSame(mismatch, new BuiltInDetectors.All(List.of(fixed(mismatch), fixed(dead))).assess(HOLDER));
    }

    @Test
    void detectorsAfterAStaleVerdictAreNotConsulted() {
        assertEquals(Kind.DEAD, kind(new BuiltInDetectors.All(List.of(fixed(StaleVerdict.dead("d")), MUST_NOT_BE_ASKED))));
    }

    @Test
    void aliveWhenOneSaysAliveAndNoneSaysStale() {
        StaleVerdict alive = StaleVerdict.alive("a");
        assertSame(alive, new BuiltInDetectors.All(List.of(fixed(StaleVerdict.undecided("u")), fixed(alive)))
                .assess(HOLDER));
        assertSame(alive, new BuiltInDetectors.All(List.of(fixed(alive), fixed(StaleVerdict.undecided("u"))))
                .assess(HOLDER));
    }

    @Test
    void aStaleVerdictBeatsAnEarlierAlive() {
        assertEquals(Kind.REUSED, kind(new BuiltInDetectors.All(List.of(
                new BuiltInDetectors.ProcessAlive(started(WRITTEN.plusSeconds(60))),
                new BuiltInDetectors.StartTime(started(WRITTEN.plusSeconds(60)), TOLERANCE)))));
    }

    @Test
    void undecidedWhenNobodyCanTell() {
        StaleVerdict undecided = StaleVerdict.undecided("u");
        assertSame(undecided, new BuiltInDetectors.All(List.of(fixed(undecided))).assess(HOLDER));
        assertEquals(Kind.UNDECIDED, kind(new BuiltInDetectors.All(List.of(fixed(StaleVerdict.undecided("1")),
                fixed(StaleVerdict.undecided("2"))))));
        assertEquals(Kind.UNDECIDED, kind(new BuiltInDetectors.All(List.of())));
    }

    @Test
    void allCopiesItsList() {
        List<StaleDetector> list = new ArrayList<>(List.of(fixed(StaleVerdict.alive("a"))));
        BuiltInDetectors.All all = new BuiltInDetectors.All(list);
        list.add(fixed(StaleVerdict.dead("d")));
        assertEquals(Kind.ALIVE, kind(all));
        assertThrows(UnsupportedOperationException.class, () -> all.detectors().add(MUST_NOT_BE_ASKED));
    }

    @Test
    void allOfAndAndCompose() {
        StaleDetector alive = fixed(StaleVerdict.alive("a"));
        StaleDetector dead = fixed(StaleVerdict.dead("d"));
        assertEquals(Kind.DEAD, kind(StaleDetector.allOf(alive, dead)));
        assertEquals(Kind.DEAD, kind(alive.and(dead)));
        assertEquals(Kind.ALIVE, kind(alive.and(fixed(StaleVerdict.undecided("u")))));
        assertEquals(Kind.DEAD, kind(dead.and(MUST_NOT_BE_ASKED)));
    }

    // StaleVerdict

    @Test
    void deadReusedAndMismatchAreStaleAliveAndUndecidedAreNot() {
        EnumSet<Kind> stale = EnumSet.of(Kind.DEAD, Kind.REUSED, Kind.MISMATCH);
        for (Kind k : Kind.values()) {
            assertEquals(stale.contains(k), k.isStale(), k.name());
        }
    }

    @Test
    void theFactoriesMakeTheirKind() {
        assertEquals(Kind.ALIVE, StaleVerdict.alive("x").kind());
        assertEquals(Kind.DEAD, StaleVerdict.dead("x").kind());
        assertEquals(Kind.REUSED, StaleVerdict.reused("x").kind());
        assertEquals(Kind.MISMATCH, StaleVerdict.mismatch("x").kind());
        assertEquals(Kind.UNDECIDED, StaleVerdict.undecided("x").kind());
        assertEquals("x", StaleVerdict.dead("x").reason());
    }

    @Test
    void aVerdictNeedsAKindAndAReason() {
        assertThrows(NullPointerException.class, () -> new StaleVerdict(null, "x"));
        assertThrows(NullPointerException.class, () -> new StaleVerdict(Kind.ALIVE, null));
    }
}
