package dev.pidlock.internal.content;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PidContentTest {

    private static final long PID_MAX = PidContent.DEFAULT_PID_MAX;

    private static PidContent parse(String content) {
        return PidContent.parse(content.getBytes(StandardCharsets.ISO_8859_1), PID_MAX);
    }

    private static void assertPid(long expected, PidContent reading) {
        assertEquals(OptionalLong.of(expected), reading.pid(), reading.toString());
        assertTrue(reading.namesHolder());
        assertEquals("", reading.problem());
    }

    private static void assertNoHolder(PidContent reading, String problemMentions) {
        assertEquals(OptionalLong.empty(), reading.pid(), reading.toString());
        assertFalse(reading.namesHolder());
        assertTrue(reading.problem().contains(problemMentions),
                () -> "problem \"" + reading.problem() + "\" should mention \"" + problemMentions + "\"");
    }

    /** The algorithm decides on the reason, never on the words of the problem. */
    @Test
    void everyReadingCarriesItsReason() {
        assertEquals(PidContent.Reason.PID, parse("1234\n").reason());
        assertEquals(PidContent.Reason.EMPTY, parse("").reason());
        assertEquals(PidContent.Reason.BLANK, parse(" \n").reason());
        assertEquals(PidContent.Reason.GARBAGE, parse("12a\n").reason());
        assertEquals(PidContent.Reason.OUT_OF_RANGE, parse("99999999999\n").reason());
        assertEquals(PidContent.Reason.NEVER_A_HOLDER, parse("1\n").reason());
        assertEquals(PidContent.Reason.OVERSIZED, parse("1".repeat(PidContent.MAX_BYTES + 1)).reason());
    }

    @Test
    void digitsAndANewlineNameAPid() {
        assertPid(1234, parse("1234\n"));
    }

    @Test
    void digitsWithoutANewlineNameAPid() {
        assertPid(1234, parse("1234"));
    }

    @Test
    void surroundingSpacesAreAllowed() {
        assertPid(1234, parse("  1234  \n"));
    }

    @Test
    void tabsAndCrLfAreAllowed() {
        assertPid(42, parse("\t42\r\n"));
    }

    @Test
    void verticalTabAndFormFeedCountAsWhitespace() {
        assertPid(42, parse("\u000B\f42\f\u000B"));
    }

    @Test
    void leadingZerosAreDecimalNotOctal() {
        assertPid(7, parse("007"));
        assertPid(10, parse("010\n"));
    }

    @Test
    void thePidMaxItselfIsAccepted() {
        assertPid(PID_MAX, parse(PID_MAX + "\n"));
        assertPid(32768, PidContent.parse("32768\n".getBytes(StandardCharsets.US_ASCII), 32768));
    }

    @Test
    void twoIsTheSmallestHolder() {
        assertPid(2, parse("2\n"));
    }

    @Test
    void emptyNamesNoHolder() {
        assertNoHolder(parse(""), "empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\n", "\r\n", " \t \n", "\f\u000B"})
    void whitespaceOnlyNamesNoHolder(String content) {
        assertNoHolder(parse(content), "only whitespace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12a", "a12", "-5", "+5", "12 34", "12\n34", "1.5", "0x1f", "12\u00a0", "\u00a012",
            "1_000", "1e3"})
    void garbageNamesNoHolder(String content) {
        assertNoHolder(parse(content), "not a pid");
    }

    @Test
    void binaryBytesNameNoHolder() {
        byte[] binary = {0x00, (byte) 0xff, 0x31, 0x32, 0x7f, (byte) 0x80};
        PidContent reading = PidContent.parse(binary, PID_MAX);
        assertNoHolder(reading, "not a pid");
        assertTrue(reading.problem().contains("\\x00") && reading.problem().contains("\\xff"),
                reading.problem());
    }

    @Test
    void aNulAfterTheDigitsNamesNoHolder() {
        assertNoHolder(PidContent.parse(new byte[] {'4', '2', '\n', 0}, PID_MAX), "not a pid");
    }

    @Test
    void oneAndZeroAreNeverHolders() {
        assertNoHolder(parse("1\n"), "never a holder");
        assertNoHolder(parse("0\n"), "never a holder");
        assertNoHolder(parse("000\n"), "never a holder");
    }

    @Test
    void aPidBeyondPidMaxNamesNoHolder() {
        assertNoHolder(parse((PID_MAX + 1) + "\n"), "beyond the largest pid");
        assertNoHolder(PidContent.parse("32769\n".getBytes(StandardCharsets.US_ASCII), 32768),
                "beyond the largest pid 32768");
    }

    @Test
    void aThirtyDigitNumberDoesNotWrapAround() {
        assertNoHolder(parse("999999999999999999999999999999\n"), "beyond the largest pid");
        // 2^64 + 1234: a wrapping parser would read 1234
        assertNoHolder(parse("18446744073709552850\n"), "beyond the largest pid");
    }

    @Test
    void moreThanMaxBytesIsOversizedEvenWhenItIsOnlyAPidAndSpaces() {
        byte[] content = new byte[PidContent.MAX_BYTES + 1];
        Arrays.fill(content, (byte) ' ');
        content[0] = '4';
        content[1] = '2';
        assertNoHolder(PidContent.parse(content, PID_MAX), "more than " + PidContent.MAX_BYTES + " bytes");
    }

    @Test
    void exactlyMaxBytesIsStillRead() {
        byte[] content = new byte[PidContent.MAX_BYTES];
        Arrays.fill(content, (byte) ' ');
        content[0] = '4';
        content[1] = '2';
        content[PidContent.MAX_BYTES - 1] = '\n';
        assertPid(42, PidContent.parse(content, PID_MAX));
    }

    @Test
    void formatWritesTheDecimalPidAndANewline() {
        assertArrayEquals("1234\n".getBytes(StandardCharsets.US_ASCII), PidContent.format(1234));
        assertArrayEquals("4194304\n".getBytes(StandardCharsets.US_ASCII), PidContent.format(4_194_304));
    }

    @Test
    void formatAndParseAgree() {
        assertPid(31337, PidContent.parse(PidContent.format(31337), PID_MAX));
    }

    @Test
    void systemPidMaxIsAPlausiblePidMax() {
        long pidMax = SystemLimits.pidMax();
        assertTrue(pidMax > 1 && pidMax <= PidContent.DEFAULT_PID_MAX, "pid_max " + pidMax);
        assertTrue(ProcessHandle.current().pid() <= pidMax);
    }

    private static PidContent parse(String s, long pidMax) {
        return PidContent.parse(s.getBytes(StandardCharsets.US_ASCII), pidMax);
    }

    /** Digits beyond the largest pid never wrap around into a valid pid, whatever the limit. */
    @Test
    void hugeNumbersAreOutOfRangeEvenWithTheLargestLimit() {
        assertFalse(parse("18446744073709552850\n", Long.MAX_VALUE).namesHolder(), "2^64 + 1234 must not wrap to 1234");
        assertFalse(parse("999999999999999999999999999999\n", Long.MAX_VALUE).namesHolder());
        assertFalse(parse("9223372036854775808\n", Long.MAX_VALUE).namesHolder());
        assertTrue(parse("9223372036854775807\n", Long.MAX_VALUE).namesHolder());
    }
}
