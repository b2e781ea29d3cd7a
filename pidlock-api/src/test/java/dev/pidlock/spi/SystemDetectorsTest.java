package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.spi.StaleVerdict.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped detectors against real processes: this JVM, and a child that has exited. */
class SystemDetectorsTest {

    private static final Path PIDFILE = Path.of("/run/test.pid");
    private static long deadPid;

    @BeforeAll
    static void startAndReapAChild() throws IOException, InterruptedException {
        Process child = new ProcessBuilder("true").start();
        assertEquals(0, child.waitFor());
        deadPid = child.pid();
    }

    private static RecordedHolder self(Optional<Instant> writtenAt) {
        return new RecordedHolder(ProcessHandle.current().pid(), PIDFILE, writtenAt);
    }

    private static RecordedHolder selfWrittenNow() {
        return self(Optional.of(Instant.now()));
    }

    private static RecordedHolder deadChild() {
        return new RecordedHolder(deadPid, PIDFILE, Optional.of(Instant.now()));
    }

    private static Instant selfStart() {
        Optional<Instant> start = ProcessHandle.current().info().startInstant();
        assumeTrue(start.isPresent(), "this system does not report process start times");
        return start.get();
    }

    @Test
    void theSystemLookupSeesThisJvm() {
        Optional<ProcessLookup.Seen> seen = ProcessLookup.SYSTEM.find(ProcessHandle.current().pid());
        assertTrue(seen.isPresent());
        assertEquals(ProcessHandle.current().info().startInstant(), seen.get().start());
    }

    @Test
    void theSystemLookupDoesNotSeeAReapedChild() {
        assertEquals(Optional.empty(), ProcessLookup.SYSTEM.find(deadPid));
    }

    @Test
    void thisJvmIsAlive() {
        assertEquals(Kind.ALIVE, StaleDetector.processAlive().assess(selfWrittenNow()).kind());
    }

    @Test
    void aReapedChildIsDead() {
        assertEquals(Kind.DEAD, StaleDetector.processAlive().assess(deadChild()).kind());
        assertEquals(Kind.DEAD, StaleDetector.startTime().assess(deadChild()).kind());
        assertEquals(Kind.DEAD, StaleDetector.sameExecutable().assess(deadChild()).kind());
        assertEquals(Kind.DEAD, StaleDetector.commandLineMatching(".*").assess(deadChild()).kind());
        assertEquals(Kind.DEAD, StaleDetector.defaults().assess(deadChild()).kind());
    }

    @Test
    void thisJvmStartedBeforeAFileWrittenNow() {
        selfStart();
        assertEquals(Kind.ALIVE, StaleDetector.startTime().assess(selfWrittenNow()).kind());
        assertEquals(Kind.ALIVE, StaleDetector.defaults().assess(selfWrittenNow()).kind());
    }

    @Test
    void aFileWrittenBeforeThisJvmStartedNamesAReusedPid() {
        Instant start = selfStart();
        RecordedHolder old = self(Optional.of(start.minus(Duration.ofHours(1))));
        assertEquals(Kind.REUSED, StaleDetector.startTime().assess(old).kind());
        assertEquals(Kind.REUSED, StaleDetector.defaults().assess(old).kind());
        assertEquals(Kind.ALIVE, StaleDetector.startTime(Duration.ofHours(2)).assess(old).kind());
    }

    @Test
    void aFileWithoutATimeLeavesStartTimeUndecided() {
        selfStart();
        assertEquals(Kind.UNDECIDED, StaleDetector.startTime().assess(self(Optional.empty())).kind());
        assertEquals(Kind.ALIVE, StaleDetector.defaults().assess(self(Optional.empty())).kind());
    }

    @Test
    void thisJvmRunsItsOwnExecutable() {
        assumeTrue(ProcessHandle.current().info().command().isPresent());
        assertEquals(Kind.ALIVE, StaleDetector.sameExecutable().assess(selfWrittenNow()).kind());
    }

    @Test
    void thisJvmsCommandLineMatchesItselfAndNotSomethingElse() {
        Optional<String> line = ProcessHandle.current().info().commandLine();
        assumeTrue(line.isPresent(), "this system does not report command lines");
        String program = ProcessHandle.current().info().command().orElseThrow();
        assertEquals(Kind.ALIVE, StaleDetector.commandLineMatching(Pattern.quote(program)).assess(selfWrittenNow()).kind());
        StaleVerdict other = StaleDetector.commandLineMatching("^/no/such/program-\\d+$").assess(selfWrittenNow());
        assertEquals(Kind.MISMATCH, other.kind());
        assertFalse(other.reason().isBlank());
        assertEquals(Kind.MISMATCH, StaleDetector.commandLine(l -> false, "nothing").assess(selfWrittenNow()).kind());
    }
}
