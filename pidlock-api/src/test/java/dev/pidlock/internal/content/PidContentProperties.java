package dev.pidlock.internal.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class PidContentProperties {

    private static final int MIB = 1 << 20;
    private static final List<String> WHITESPACE = List.of("", "", " ", "  ", "\t", "\n", "\r\n", "\u000B", "\f");

    /** Arbitrary bytes, one draw per byte: short arrays only. */
    private static Gen<byte[]> smallArbitrary() {
        return Generate.byteArrays(integers().between(0, PidContent.MAX_BYTES + 8),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    /** Whitespace, a decimal number (sometimes signed, sometimes with leading zeros), whitespace. */
    private static Gen<byte[]> pidLike() {
        Gen<String> ws = Generate.pick(WHITESPACE);
        Gen<String> number = longs().between(-20, 99_999_999L).map(n -> Long.toString(n))
                .zip(integers().between(0, 3), (n, zeros) -> "0".repeat(zeros) + n);
        return ws.zip(number, ws, (a, n, b) -> (a + n + b).getBytes(StandardCharsets.US_ASCII));
    }

    /** Long arrays, up to 1 MiB, filled from a seed so that each costs two draws. */
    private static Gen<byte[]> bigSeeded() {
        return integers().between(PidContent.MAX_BYTES - 4, MIB).zip(longs().all(), (length, seed) -> {
            byte[] bytes = new byte[length];
            new SplittableRandom(seed).nextBytes(bytes);
            return bytes;
        });
    }

    /** Long arrays that are all digits and whitespace: oversized even though they look like a pid. */
    private static Gen<byte[]> bigDigits() {
        return integers().between(PidContent.MAX_BYTES - 4, MIB).zip(longs().all(), (length, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = random.nextInt(8) == 0 ? (byte) ' ' : (byte) ('0' + random.nextInt(10));
            }
            return bytes;
        });
    }

    private static Gen<byte[]> anyBytes() {
        return Generate.pick(List.of(smallArbitrary(), pidLike(), bigSeeded(), bigDigits()))
                .flatMap(g -> g)
                .describedAs(PidContentProperties::show);
    }

    private static Gen<Long> pidMaxes() {
        return Generate.pick(List.of(PidContent.DEFAULT_PID_MAX, 32_768L, 99_999L, SystemLimits.pidMax(), 2L))
                .mix(longs().between(2, PidContent.DEFAULT_PID_MAX), 50);
    }

    private static String show(byte[] bytes) {
        StringBuilder sb = new StringBuilder().append(bytes.length).append(" bytes: \"");
        for (int i = 0; i < Math.min(bytes.length, 80); i++) {
            int c = bytes[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\x%02x", c));
        }
        return sb.append(bytes.length > 80 ? "\"..." : "\"").toString();
    }

    /** The contract, written independently: trim ASCII whitespace, all digits, in [2, pidMax], at most 64 bytes. */
    private static OptionalLong reference(byte[] bytes, long pidMax) {
        if (bytes.length == 0 || bytes.length > PidContent.MAX_BYTES) {
            return OptionalLong.empty();
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("^[ \\t\\n\\r\\x0B\\f]+|[ \\t\\n\\r\\x0B\\f]+$", "");
        if (!text.matches("[0-9]+")) {
            return OptionalLong.empty();
        }
        BigInteger value = new BigInteger(text);
        if (value.compareTo(BigInteger.TWO) < 0 || value.compareTo(BigInteger.valueOf(pidMax)) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.longValueExact());
    }

    @Test
    void anyBytesParseToAValidPidOrToNotAHolderNeverAnException() {
        qt().withExamples(400).forAll(anyBytes(), pidMaxes()).checkAssert((bytes, pidMax) -> {
            PidContent reading = PidContent.parse(bytes, pidMax);
            if (reading.pid().isPresent()) {
                long pid = reading.pid().getAsLong();
                assertTrue(pid >= 2 && pid <= pidMax, "pid " + pid + " outside [2, " + pidMax + "]");
                assertEquals("", reading.problem());
                assertTrue(reading.namesHolder());
            } else {
                assertFalse(reading.problem().isBlank(), "no pid and no problem");
                assertFalse(reading.namesHolder());
            }
            assertEquals(reference(bytes, pidMax), reading.pid(), "disagrees with the reference reading");
        });
    }

    @Test
    void everyPidInRangeSurvivesFormatThenParse() {
        Gen<long[]> pidMaxAndPid = pidMaxes().flatMap(max -> longs().between(2, max).map(pid -> new long[] {max, pid}));
        qt().withExamples(1000).forAll(pidMaxAndPid).checkAssert(pair -> {
            long pidMax = pair[0];
            long pid = pair[1];
            assertEquals(OptionalLong.of(pid), PidContent.parse(PidContent.format(pid), pidMax).pid(),
                    () -> "pid " + pid + ", pidMax " + pidMax);
        });
    }
}
