package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessInfoTest {

    private static boolean linux() {
        return System.getProperty("os.name").startsWith("Linux");
    }

    @Test
    void thisJvmIsAliveWithStartUptimeAndCommand() {
        long self = ProcessHandle.current().pid();
        ProcessInfo info = ProcessInfo.of(self);
        assertEquals(self, info.pid());
        assertTrue(info.alive());
        assertEquals(ProcessHandle.current().info().startInstant(), info.startedAt());
        assertTrue(info.uptime().isPresent());
        assertFalse(info.uptime().get().isNegative());
        assertTrue(info.command().isPresent() && !info.command().get().isBlank(), info.command().toString());
        assertTrue(info.cpuTime().isPresent());
        assertTrue(info.descendants() >= 0);
    }

    @Test
    void onLinuxThisJvmHasResidentMemoryAndAMemoryShare() {
        assumeTrue(linux());
        ProcessInfo info = ProcessInfo.of(ProcessHandle.current().pid());
        assertTrue(info.residentBytes().isPresent() && info.residentBytes().getAsLong() > 0,
                info.residentBytes().toString());
        double share = info.memoryPercent().orElseThrow();
        assertTrue(share > 0 && share < 100, Double.toString(share));
        assertTrue(info.treeResidentBytes().orElseThrow() >= info.residentBytes().getAsLong());
    }

    @Test
    void aChildCountsAsADescendantAndInTheTree() throws IOException, InterruptedException {
        assumeTrue(linux());
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            ProcessInfo info = ProcessInfo.of(ProcessHandle.current().pid());
            assertTrue(info.descendants() >= 1, "descendants " + info.descendants());
            assertTrue(info.treeResidentBytes().orElseThrow() > info.residentBytes().orElseThrow());
            ProcessInfo childInfo = ProcessInfo.of(child.pid());
            assertTrue(childInfo.alive());
            assertTrue(childInfo.command().orElseThrow().contains("sleep"), childInfo.command().toString());
        } finally {
            child.destroy();
            child.waitFor();
        }
    }

    @Test
    void aDeadPidIsNotAliveAndHasNoMeasurements() throws IOException, InterruptedException {
        Process child = new ProcessBuilder("true").start();
        child.waitFor();
        ProcessInfo info = ProcessInfo.of(child.pid());
        assertEquals(new ProcessInfo(child.pid(), false, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty(), Optional.empty(), 0,
                OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty()), info);
    }
}
