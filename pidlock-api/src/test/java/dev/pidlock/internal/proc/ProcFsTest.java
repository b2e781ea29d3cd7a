package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {

    private static final List<String> STATUS = List.of(
            "Name:\tjava",
            "VmPeak:\t 5000000 kB",
            "VmRSS:\t   123456 kB",
            "RssAnon:\t   100000 kB",
            "Threads:\t25");

    private static boolean linux() {
        return System.getProperty("os.name").startsWith("Linux");
    }

    @Test
    void aKibibyteFieldIsReadInBytes() {
        assertEquals(OptionalLong.of(123_456L * 1024), ProcFs.parseKibibytes(STATUS, "VmRSS:"));
        assertEquals(OptionalLong.of(5_000_000L * 1024), ProcFs.parseKibibytes(STATUS, "VmPeak:"));
    }

    @Test
    void meminfoStyleSpacingIsRead() {
        assertEquals(OptionalLong.of(16_318_888L * 1024),
                ProcFs.parseKibibytes(List.of("MemTotal:       16318888 kB", "MemFree:         1000 kB"), "MemTotal:"));
    }

    @Test
    void aMissingFieldIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(STATUS, "VmSwap:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of(), "VmRSS:"));
    }

    @Test
    void aFieldIsMatchedByItsWholeNameWithTheColon() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSSx:\t 1 kB"), "VmRSS:"));
        assertEquals(OptionalLong.of(100_000L * 1024), ProcFs.parseKibibytes(STATUS, "RssAnon:"));
    }

    @Test
    void aFieldWithoutTheKbUnitIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(STATUS, "Threads:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t 12 MB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t 12 kB extra"), "VmRSS:"));
    }

    @Test
    void aValueThatIsNotANumberIsEmpty() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:\t lots kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS:"), "VmRSS:"));
    }

    @Test
    void theFirstOccurrenceCounts() {
        assertEquals(OptionalLong.of(1024), ProcFs.parseKibibytes(List.of("VmRSS: 1 kB", "VmRSS: 2 kB"), "VmRSS:"));
    }

    @Test
    void anUnreadableFileIsEmpty(@TempDir Path temp) {
        assertEquals(OptionalLong.empty(), ProcFs.kibibytesField(temp.resolve("absent"), "VmRSS:"));
    }

    @Test
    void aReadableFileIsParsed(@TempDir Path temp) throws IOException {
        Path status = Files.write(temp.resolve("status"), STATUS);
        assertEquals(OptionalLong.of(123_456L * 1024), ProcFs.kibibytesField(status, "VmRSS:"));
    }

    @Test
    void onLinuxProcIsPresentAndThisJvmHasResidentMemory() {
        assumeTrue(linux());
        assertTrue(ProcFs.present());
        OptionalLong rss = ProcFs.residentBytes(ProcessHandle.current().pid());
        assertTrue(rss.isPresent() && rss.getAsLong() > 0, rss.toString());
        assertEquals(0, rss.getAsLong() % 1024);
    }

    @Test
    void onLinuxTheMachineHasMoreMemoryThanThisJvmUses() {
        assumeTrue(linux());
        OptionalLong total = ProcFs.totalMemoryBytes();
        OptionalLong rss = ProcFs.residentBytes(ProcessHandle.current().pid());
        assertTrue(total.isPresent() && rss.isPresent());
        assertTrue(total.getAsLong() > rss.getAsLong(), total + " vs " + rss);
    }

    @Test
    void aPidWithNoProcessHasNoResidentMemory() {
        assertEquals(OptionalLong.empty(), ProcFs.residentBytes(Long.MAX_VALUE));
    }

    @Test
    void aStatLineSaysExitedWhenZombieDeadOrFlaggedExiting() {
        String rest = " 1 4242 4242 0 -1 %d 100 0 0 0 5 3 0 0 20 0 1 0 900 1000 200";
        assertFalse(ProcFs.exitedIn("4242 (java) S" + String.format(rest, 0x400040)), "sleeping");
        assertFalse(ProcFs.exitedIn("4242 (java) R" + String.format(rest, 0x400040)), "running");
        assertTrue(ProcFs.exitedIn("4242 (java) R" + String.format(rest, 0x40004c)), "running, PF_EXITING");
        assertTrue(ProcFs.exitedIn("4242 (java) D" + String.format(rest, 0x404044)), "in the kernel, PF_EXITING");
        assertTrue(ProcFs.exitedIn("4242 (java) Z" + String.format(rest, 0x400040)), "zombie");
        assertTrue(ProcFs.exitedIn("4242 (x) Z) R" + String.format(rest, 0x40004c)), "a command name with ') '");
        assertFalse(ProcFs.exitedIn("4242 (x) Z) S" + String.format(rest, 0x400040)), "a command name with ') Z'");
        assertFalse(ProcFs.exitedIn("4242 (java) S 1 2"), "too short to tell");
    }

    @Test
    void thisProcessHasNotExited() {
        assumeTrue(linux());
        assertFalse(ProcFs.hasExited(ProcessHandle.current().pid()));
    }

    /** A value that would overflow or is negative is unknown, never a made-up number. */
    @Test
    void overflowingOrNegativeSizesAreUnknown() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: 9007199254740992 kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: -5 kB"), "VmRSS:"));
        assertEquals(OptionalLong.of(5120), ProcFs.parseKibibytes(List.of("VmRSS: 5 kB"), "VmRSS:"));
    }
}
