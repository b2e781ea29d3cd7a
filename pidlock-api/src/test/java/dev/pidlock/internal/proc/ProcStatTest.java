package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcStatTest {

    /** Fields 4 to 24 after the state: ppid 1, flags %d, utime 5, stime 3, starttime 900, rss 200. */
    private static final String REST = " 1 4242 4242 0 -1 %d 100 0 0 0 5 3 0 0 20 0 1 0 900 1000 200";

    private static boolean exited(String line) {
        return ProcStat.parse(line).map(ProcStat::exited).orElse(false);
    }

    /** Moved from {@code ProcFsTest}, where {@code ProcFs.exitedIn} parsed the line itself. */
    @Test
    void aStatLineSaysExitedWhenZombieDeadOrFlaggedExiting() {
        String rest = REST;
        assertFalse(exited("4242 (java) S" + String.format(rest, 0x400040)), "sleeping");
        assertFalse(exited("4242 (java) R" + String.format(rest, 0x400040)), "running");
        assertTrue(exited("4242 (java) R" + String.format(rest, 0x40004c)), "running, PF_EXITING");
        assertTrue(exited("4242 (java) D" + String.format(rest, 0x404044)), "in the kernel, PF_EXITING");
        assertTrue(exited("4242 (java) Z" + String.format(rest, 0x400040)), "zombie");
        assertTrue(exited("4242 (x) Z) R" + String.format(rest, 0x40004c)), "a command name with ') '");
        assertFalse(exited("4242 (x) Z) S" + String.format(rest, 0x400040)), "a command name with ') Z'");
        assertFalse(exited("4242 (java) S 1 2"), "too short to tell");
    }

    @Test
    void everyFieldIsReadFromItsPlace() {
        ProcStat stat = ProcStat.parse("4242 (java) S" + String.format(REST, 0x400040)).orElseThrow();
        assertEquals(new ProcStat(4242, "java", 'S', 1, 0x400040, 5, 3, 900, 200, 4242), stat);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesEndsAtTheLastParenthesis() {
        ProcStat stat = ProcStat.parse("77 (a (b) c) d) R" + String.format(REST, 0x40)).orElseThrow();
        assertEquals("a (b) c) d", stat.command());
        assertEquals('R', stat.state());
        assertEquals(1, stat.parent());
        assertEquals(900, stat.startTicks());
        assertEquals(77, stat.pid());
        assertEquals("", ProcStat.parse("78 () S" + String.format(REST, 0)).orElseThrow().command());
    }

    /** An exiting process may still hold its files (its memory is freed first): only Z and X have closed them. */
    @Test
    void onlyAZombieOrADeadProcessHasTerminated() {
        assertFalse(terminated("4242 (java) R" + String.format(REST, 0x40004c)), "running, PF_EXITING");
        assertFalse(terminated("4242 (java) D" + String.format(REST, 0x404044)), "in the kernel, PF_EXITING");
        assertFalse(terminated("4242 (java) S" + String.format(REST, 0x400040)), "sleeping");
        assertTrue(terminated("4242 (java) Z" + String.format(REST, 0x40004c)), "zombie");
        assertTrue(terminated("4242 (java) X" + String.format(REST, 0)), "dead");
        assertFalse(terminated("4242 (x) Z) R" + String.format(REST, 0x40004c)), "a command name with ') Z'");
    }

    private static boolean terminated(String line) {
        return ProcStat.parse(line).map(ProcStat::terminated).orElse(false);
    }

    @Test
    void aZombieIsExitedWhateverItsFlags() {
        ProcStat zombie = ProcStat.parse("4242 (true) Z" + String.format(REST, 0)).orElseThrow();
        assertEquals('Z', zombie.state());
        assertTrue(zombie.exited());
        assertTrue(exited("4242 (true) X" + String.format(REST, 0)), "dead");
        assertTrue(exited("4242 (true) x" + String.format(REST, 0)), "dead, old kernels");
        assertTrue(exited("4242 (true) Z 1"), "a zombie needs no flags to tell");
    }

    @Test
    void pfExitingAloneMakesALiveStateExited() {
        assertEquals(0x4, ProcStat.PF_EXITING);
        assertTrue(exited("4242 (java) S" + String.format(REST, ProcStat.PF_EXITING)));
        assertFalse(exited("4242 (java) S" + String.format(REST, ~ProcStat.PF_EXITING & 0xffffffL)));
    }

    @Test
    void missingOrNonNumericFieldsAreMinusOne() {
        ProcStat shortLine = ProcStat.parse("4242 (java) S 1 2").orElseThrow();
        assertEquals(new ProcStat(4242, "java", 'S', 1, -1, -1, -1, -1, -1, -1), shortLine);
        ProcStat garbled = ProcStat.parse("4242 (java) S x 4242 4242 0 -1 flags").orElseThrow();
        assertEquals(-1, garbled.parent());
        assertEquals(-1, garbled.flags());
        assertFalse(garbled.exited());
    }

    @Test
    void aLineWithoutACommandAndAStateIsNotAStatLine() {
        assertEquals(Optional.empty(), ProcStat.parse(""));
        assertEquals(Optional.empty(), ProcStat.parse("4242 java S 1"));
        assertEquals(Optional.empty(), ProcStat.parse("4242 (java)"));
        assertEquals(Optional.empty(), ProcStat.parse("4242 (java) "));
        assertEquals(Optional.empty(), ProcStat.parse("4242 )java( S 1"));
        assertEquals(Optional.empty(), ProcStat.parse("4242 java) S 1"), "no opening parenthesis");
        assertEquals(Optional.empty(), ProcStat.parse("4242 ) S (java"), "the parentheses the wrong way round");
        assertFalse(exited("4242 (java)"));
    }
}
