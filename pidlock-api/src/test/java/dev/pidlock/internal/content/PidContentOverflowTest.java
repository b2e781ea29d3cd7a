package dev.pidlock.internal.content;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Digits beyond the largest pid never wrap around into a valid pid, whatever the limit. */
class PidContentOverflowTest {

    private static PidContent parse(String s, long pidMax) {
        return PidContent.parse(s.getBytes(StandardCharsets.US_ASCII), pidMax);
    }

    @Test
    void hugeNumbersAreOutOfRangeEvenWithTheLargestLimit() {
        assertFalse(parse("18446744073709552850\n", Long.MAX_VALUE).namesHolder(), "2^64 + 1234 must not wrap to 1234");
        assertFalse(parse("999999999999999999999999999999\n", Long.MAX_VALUE).namesHolder());
        assertFalse(parse("9223372036854775808\n", Long.MAX_VALUE).namesHolder());
        assertTrue(parse("9223372036854775807\n", Long.MAX_VALUE).namesHolder());
    }
}
