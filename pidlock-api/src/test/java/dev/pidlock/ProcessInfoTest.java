package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.internal.proc.ProcFs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    /**
     * The figures read from {@code /proc} are those {@link ProcessHandle.Info} gives, for a child that has used
     * some CPU time and sleeps (so that its CPU time and memory hold still), with arguments holding spaces and
     * letters outside ASCII.
     */
    @Test
    void onLinuxTheFiguresOfAChildAreThoseOfProcessHandleInfo() throws IOException, InterruptedException {
        assumeTrue(linux());
        Process child = new ProcessBuilder("python3", "-c",
                "import sys, time\nn = 0\nfor i in range(3000000): n += i\nprint('ready', flush=True)\n"
                        + "time.sleep(60)",
                "an argument with spaces", "\u00fcn\u00efc\u00f6d\u00e9 \u2603").start();
        try {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("ready", out.readLine());
                ProcessHandle.Info expected = ProcessHandle.of(child.pid()).orElseThrow().info();
                ProcessInfo info = ProcessInfo.of(child.pid());
                assertTrue(info.alive());
                assertEquals(expected.startInstant(), info.startedAt());
                assertEquals(expected.totalCpuDuration(), info.cpuTime());
                assertTrue(info.cpuTime().orElseThrow().toMillis() > 0, info.cpuTime().toString());
                assertEquals(expected.commandLine(), info.command());
                assertTrue(info.command().orElseThrow().endsWith(" an argument with spaces \u00fcn\u00efc\u00f6d\u00e9 \u2603"),
                        info.command().get());
                assertEquals(ProcFs.residentBytes(child.pid()), info.residentBytes());
                assertEquals(0, info.descendants());
            }
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
