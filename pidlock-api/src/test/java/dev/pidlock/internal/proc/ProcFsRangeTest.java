package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A value that would overflow or is negative is unknown, never a made-up number. */
class ProcFsRangeTest {

    @Test
    void overflowingOrNegativeSizesAreUnknown() {
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: 9007199254740992 kB"), "VmRSS:"));
        assertEquals(OptionalLong.empty(), ProcFs.parseKibibytes(List.of("VmRSS: -5 kB"), "VmRSS:"));
        assertEquals(OptionalLong.of(5120), ProcFs.parseKibibytes(List.of("VmRSS: 5 kB"), "VmRSS:"));
    }
}
