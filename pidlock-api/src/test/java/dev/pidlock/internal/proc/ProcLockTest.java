package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcLockTest {

    /** A glibc-encoded st_dev of major 0x1003 and minor 0x10a05: both wider than the old 8-bit fields. */
    private static final long WIDE_DEV = 0x05L | 0x003L << 8 | 0x10a00L << 12 | 0x1000L << 32;

    @Test
    void aProcLocksLineIsReadFieldByField() {
        assertEquals(Optional.of(new ProcLock(1, false, "FLOCK", true, 1234, 8, 1, 5678)),
                ProcLock.parse("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"));
        assertEquals(Optional.of(new ProcLock(12, false, "POSIX", false, 99, 0xfd, 0, 42)),
                ProcLock.parse("12: POSIX  ADVISORY  READ 99 fd:00:42 0 EOF"));
        assertEquals(Optional.of(new ProcLock(3, false, "OFDLCK", true, -1, 0, 0x2b, 7)),
                ProcLock.parse("3: OFDLCK ADVISORY  WRITE -1 00:2b:7 0 EOF"));
    }

    @Test
    void aWaitersArrowLineIsAWaitingRequestForTheLockOfItsNumber() {
        List<ProcLock> locks = ProcLock.parseLocks(List.of(
                "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF",
                "1: -> POSIX  ADVISORY  WRITE 1235 08:01:5678 0 EOF",
                "2: FLOCK  ADVISORY  WRITE 77 08:01:9 0 EOF",
                "2: -> FLOCK  ADVISORY  WRITE 78 08:01:9 0 EOF"));
        assertEquals(4, locks.size());
        assertFalse(locks.get(0).waiting());
        assertTrue(locks.get(1).waiting());
        assertEquals(1, locks.get(1).id());
        assertEquals(1235, locks.get(1).pid());
        assertEquals("POSIX", locks.get(1).kind());
        assertEquals(5678, locks.get(1).inode());
        assertTrue(locks.get(3).waiting());
        assertEquals(2, locks.get(3).id());
    }

    @Test
    void linesOfAnotherFormArePassedOver() {
        List<ProcLock> locks = ProcLock.parseLocks(List.of(
                "",
                "garbage",
                "1: FLOCK  ADVISORY  WRITE 1234",
                "2: FLOCK  ADVISORY  WRITE 1234 08:01 0 EOF",
                "3: LEASE  ACTIVE    READ 55 <none>:0 0 EOF",
                "4: POSIX  ADVISORY  WRITE 1234 zz:01:5678 0 EOF",
                "5: -> POSIX",
                "6: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"));
        assertEquals(List.of(new ProcLock(6, false, "FLOCK", true, 1234, 8, 1, 5678)), locks);
    }

    @Test
    void aPidThatIsNoNumberIsMinusOne() {
        assertEquals(-1, ProcLock.parse("1: FLOCK  ADVISORY  WRITE ? 08:01:5678 0 EOF").orElseThrow().pid());
    }

    @Test
    void theFdinfoLockLinesAreTheLocksOnTheDescriptorsFile() {
        List<ProcLock> locks = ProcLock.parseFdinfo(List.of(
                "pos:\t0",
                "flags:\t0100002",
                "mnt_id:\t29",
                "ino:\t5678",
                "lock:\t1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF",
                "lock:\t2: OFDLCK ADVISORY  READ 1234 08:01:5678 0 EOF",
                "lock:\t3: -> POSIX  ADVISORY  WRITE 99 08:01:5678 0 EOF"));
        assertEquals(List.of(new ProcLock(1, false, "FLOCK", true, 1234, 8, 1, 5678),
                new ProcLock(2, false, "OFDLCK", false, 1234, 8, 1, 5678),
                new ProcLock(3, true, "POSIX", true, 99, 8, 1, 5678)), locks);
        assertEquals(List.of(), ProcLock.parseFdinfo(List.of("pos:\t0", "flags:\t02")));
    }

    @Test
    void aLockIsOnTheFileOfItsDeviceAndInode() {
        ProcLock lock = ProcLock.parse("1: FLOCK  ADVISORY  WRITE 1234 1003:10a05:5678 0 EOF").orElseThrow();
        assertEquals(0x1003, ProcLock.major(WIDE_DEV));
        assertEquals(0x10a05, ProcLock.minor(WIDE_DEV));
        assertTrue(lock.isOn(WIDE_DEV, 5678));
        assertFalse(lock.isOn(WIDE_DEV, 5679));
        assertFalse(lock.isOn(WIDE_DEV + 1, 5678));
        ProcLock small = ProcLock.parse("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF").orElseThrow();
        assertTrue(small.isOn(0x801, 5678));
        assertFalse(small.isOn(0x108, 5678));
    }
}
