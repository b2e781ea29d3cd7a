package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PidFileNamesTest {

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The bytes a file name stands for: {@code %XX} is one byte, any other character itself. */
    static byte[] readBack(String file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < file.length(); i++) {
            char c = file.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(file.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    @Test
    void aPlainNameGetsTheSuffix() {
        assertEquals("backup.pid", PidFileNames.sanitise("backup"));
    }

    @Test
    void aNameWithTheSuffixKeepsIt() {
        assertEquals("a.pid", PidFileNames.sanitise("a.pid"));
        assertEquals("backup.pid", PidFileNames.sanitise("backup.pid"));
    }

    @Test
    void onlyTheExactSuffixCounts() {
        assertEquals("a.PID.pid", PidFileNames.sanitise("a.PID"));
        assertEquals("a.pidfile.pid", PidFileNames.sanitise("a.pidfile"));
        assertEquals("a.pid.pid", PidFileNames.sanitise("a.pid.pid"));
    }

    @Test
    void otherDotsAreKept() {
        assertEquals("my.app.pid", PidFileNames.sanitise("my.app"));
        assertEquals("x...pid", PidFileNames.sanitise("x.."));
    }

    @Test
    void printableAsciiStandsForItselfButTheSeparatorsAndThePercentSign() {
        StringBuilder kept = new StringBuilder();
        for (char c = 0x20; c <= 0x7E; c++) {
            if (c != '/' && c != '\\' && c != '%') {
                kept.append(c);
            }
        }
        assertEquals(kept + ".pid", PidFileNames.sanitise(kept.toString()));
    }

    @Test
    void slashesAreEscaped() {
        assertEquals("a%2Fb.pid", PidFileNames.sanitise("a/b"));
        assertEquals("a%2Fb%2Fc.pid", PidFileNames.sanitise("a/b/c"));
        assertEquals("%2Fetc%2Fpasswd.pid", PidFileNames.sanitise("/etc/passwd"));
    }

    @Test
    void backslashesAreEscaped() {
        assertEquals("a%5Cb.pid", PidFileNames.sanitise("a\\b"));
    }

    /** Without escaping {@code %}, the name {@code a%2Fb} and the name {@code a/b} would share a file. */
    @Test
    void thePercentSignIsEscapedSoThatNoNameLooksLikeAnother() {
        assertEquals("100%25.pid", PidFileNames.sanitise("100%"));
        assertEquals("a%252Fb.pid", PidFileNames.sanitise("a%2Fb"));
        assertNotEquals(PidFileNames.sanitise("a/b"), PidFileNames.sanitise("a%2Fb"));
    }

    @Test
    void nulIsEscaped() {
        assertEquals("a%00b.pid", PidFileNames.sanitise("a\0b"));
    }

    static Stream<Arguments> invisibleCharacters() {
        return Stream.of(arguments("\n", "%0A"), arguments("\r", "%0D"), arguments("\t", "%09"),
                arguments("\u0001", "%01"), arguments("\u001b", "%1B"), arguments("\u007f", "%7F"),
                arguments("\u0085", "%C2%85"), arguments("\u009f", "%C2%9F"), arguments("\u00a0", "%C2%A0"),
                arguments("\u00ad", "%C2%AD"), arguments("\u2028", "%E2%80%A8"), arguments("\u2029", "%E2%80%A9"),
                arguments("\u200b", "%E2%80%8B"), arguments("\u202e", "%E2%80%AE"), arguments("\ufeff", "%EF%BB%BF"),
                arguments("\ue000", "%EE%80%80"), arguments("\ufffe", "%EF%BF%BE"),
                arguments("\udbff\udfff", "%F4%8F%BF%BF"));
    }

    @ParameterizedTest
    @MethodSource("invisibleCharacters")
    void controlFormatSeparatorAndPrivateUseCharactersAreWrittenAsTheirUtf8Bytes(String bad, String escaped) {
        assertEquals("a" + escaped + "b.pid", PidFileNames.sanitise("a" + bad + "b"));
    }

    /**
     * An unpaired surrogate has no UTF-8 form: a lone U+DC80..U+DCFF is the byte 0x80..0xFF it stands for
     * (surrogateescape: how the pidlock command keeps argument bytes that are not UTF-8), any other is the
     * encoder's replacement, {@code ?}.
     */
    @Test
    void anUnpairedSurrogateIsAQuestionMarkOrTheByteItEscapes() {
        assertEquals("a?b.pid", PidFileNames.sanitise("a\ud800b"));
        assertEquals("a?b.pid", PidFileNames.sanitise("a\udfffb"));
        assertEquals("?.pid", PidFileNames.sanitise("\udc00"));
        assertEquals("a%FFb.pid", PidFileNames.sanitise("a\udcffb"));
        assertEquals("caf%E9.pid", PidFileNames.sanitise("caf\udce9"));
        assertEquals("%F0%9F%98%80%80.pid", PidFileNames.sanitise("\ud83d\ude00\udc80"));
    }

    /** The bytes the name stands for: UTF-8, a lone U+DC80..U+DCFF as its byte, another lone surrogate as ?. */
    static byte[] surrogateEscaped(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.writeBytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                out.write(c & 0xFF);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Test
    void dotDotIsNeverAPathComponent() {
        assertEquals("%2E..pid", PidFileNames.sanitise(".."));
        assertEquals("%2E.pid", PidFileNames.sanitise("."));
    }

    @Test
    void traversalBecomesOneHarmlessName() {
        assertEquals("%2E.%2F..%2Fetc%2Fpasswd.pid", PidFileNames.sanitise("../../etc/passwd"));
    }

    @Test
    void aLeadingDotIsEscapedSoThatNoFileIsHidden() {
        assertEquals("%2Ehidden.pid", PidFileNames.sanitise(".hidden"));
        assertEquals("%2E.pid", PidFileNames.sanitise("..pid"));
        assertEquals("%252E.pid", PidFileNames.sanitise("%2E"), "a name spelling the escape is another name");
    }

    @Test
    void emptyNamesGetADefault() {
        assertEquals("pidlock.pid", PidFileNames.sanitise(""));
        assertEquals("pidlock.pid", PidFileNames.sanitise(".pid"));
    }

    @Test
    void anythingButPrintableAsciiIsWrittenAsItsUtf8Bytes() {
        assertEquals("caf%C3%A9.pid", PidFileNames.sanitise("caf\u00e9"));
        assertEquals("sauvegarde-%C3%A9t%C3%A9.pid", PidFileNames.sanitise("sauvegarde-\u00e9t\u00e9"));
        assertEquals("%E3%83%90%E3%83%83%E3%82%AF%E3%82%A2%E3%83%83%E3%83%97.pid",
                PidFileNames.sanitise("\u30d0\u30c3\u30af\u30a2\u30c3\u30d7"));
        assertEquals("job-%F0%9F%98%80.pid", PidFileNames.sanitise("job-\ud83d\ude00"));
    }

    /** Two spellings of é that Unicode calls equivalent are two names: nothing is normalised. */
    @Test
    void namesAreNotNormalised() {
        assertEquals("e%CC%81.pid", PidFileNames.sanitise("e\u0301"));
        assertNotEquals(PidFileNames.sanitise("\u00e9"), PidFileNames.sanitise("e\u0301"));
    }

    /**
     * The same name must give the same file on every JDK, or two instances of one program run by different
     * JDKs (an application on 17, the command's image on 25) would lock different files. U+1FAE0 (Unicode 14),
     * U+0CF3 (Unicode 15) and the format character U+0890 (Unicode 14) are unknown to JDK 17 and known to
     * JDK 25: only their bytes count.
     */
    @Test
    void charactersNewerThanTheJdksUnicodeAreWrittenByTheirBytesAlone() {
        assertEquals("app%F0%9F%AB%A0.pid", PidFileNames.sanitise("app\ud83e\udee0"));
        assertEquals("a%E0%B3%B3b.pid", PidFileNames.sanitise("a\u0cf3b"));
        assertEquals("a%E0%A2%90b.pid", PidFileNames.sanitise("a\u0890b"));
    }

    /** Every code point, whatever this JDK thinks of it, is its own UTF-8 bytes in printable ASCII. */
    @Test
    void everyCodePointIsReadBackFromItsFile() {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            String name = "a" + new String(Character.toChars(cp)) + "b";
            String file = PidFileNames.sanitise(name);
            int at = cp;
            assertTrue(file.chars().allMatch(c -> c >= 0x20 && c <= 0x7E) && file.indexOf('/') < 0
                    && file.indexOf('\\') < 0, () -> "U+" + Integer.toHexString(at) + ": " + file);
            assertArrayEquals((name + ".pid").getBytes(StandardCharsets.UTF_8), readBack(file),
                    () -> "U+" + Integer.toHexString(at) + ": " + file);
        }
    }

    @Test
    void aNameThatFitsIsNotShortened() {
        String fits = "n".repeat(PidFileNames.MAX_BYTES - PidFileNames.SUFFIX.length());
        assertEquals(fits + ".pid", PidFileNames.sanitise(fits));
        assertEquals(PidFileNames.MAX_BYTES, utf8(PidFileNames.sanitise(fits)));
    }

    /** The limit counts the escaped file name: 5 + 41 × 6 = 251 bytes fit, one byte more does not. */
    @Test
    void theLimitCountsEscapes() {
        String fits = "n".repeat(5) + "\u00e9".repeat(41);
        assertEquals("nnnnn" + "%C3%A9".repeat(41) + ".pid", PidFileNames.sanitise(fits));
        String result = PidFileNames.sanitise("n" + fits);
        assertTrue(result.matches("n{6}(%C3%A9){39}-[0-9a-f]{8}\\.pid"), result);
    }

    @Test
    void aLongNameIsTruncatedWithAHash() {
        String name = "n".repeat(1000);
        String result = PidFileNames.sanitise(name);
        assertTrue(utf8(result) <= PidFileNames.MAX_BYTES, result.length() + " chars");
        assertTrue(result.matches("n+-[0-9a-f]{8}\\.pid"), result);
        assertEquals(PidFileNames.MAX_BYTES, utf8(result), "truncates to the budget, not below it");
    }

    @Test
    void differentLongNamesStayDifferent() {
        String prefix = "x".repeat(400);
        String a = PidFileNames.sanitise(prefix + "a");
        String b = PidFileNames.sanitise(prefix + "b");
        assertNotEquals(a, b);
        assertTrue(utf8(a) <= PidFileNames.MAX_BYTES && utf8(b) <= PidFileNames.MAX_BYTES);
    }

    /** Whichever of the three characters of an escape the limit falls on, the escape is kept whole or left out. */
    @Test
    void aLongNameIsNeverCutInsideAnEscape() {
        for (int pad = 0; pad < 3; pad++) {
            String name = "a".repeat(pad) + "\u00e9".repeat(200);
            String result = PidFileNames.sanitise(name);
            assertTrue(result.matches("a{" + pad + "}(%C3%A9)*(%C3)?-[0-9a-f]{8}\\.pid"), result);
            assertTrue(utf8(result) >= PidFileNames.MAX_BYTES - 2, "cut at most two bytes short: " + result);
        }
    }

    @Test
    void aLongRunOfDotsIsOneVisibleFile() {
        String result = PidFileNames.sanitise(".".repeat(300));
        assertTrue(result.matches("%2E\\.{239}-[0-9a-f]{8}\\.pid"), result);
    }

    /** A name and the same name with {@code .pid} are one pidfile, also when they are long enough to be hashed. */
    @Test
    void longNameWithAndWithoutSuffixIsOneFile() {
        String name = "x".repeat(300);
        assertEquals(PidFileNames.sanitise(name), PidFileNames.sanitise(name + ".pid"));
        assertEquals(PidFileNames.sanitise("a"), PidFileNames.sanitise("a.pid"));
        String escaped = "caf\u00e9/".repeat(60);
        assertEquals(PidFileNames.sanitise(escaped), PidFileNames.sanitise(escaped + ".pid"));
    }
}
