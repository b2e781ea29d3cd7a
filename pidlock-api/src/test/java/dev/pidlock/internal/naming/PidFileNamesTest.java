package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PidFileNamesTest {

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
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
    }

    @Test
    void slashesBecomeUnderscores() {
        assertEquals("a_b_c.pid", PidFileNames.sanitise("a/b/c"));
        assertEquals("_etc_passwd.pid", PidFileNames.sanitise("/etc/passwd"));
    }

    @Test
    void backslashesBecomeUnderscores() {
        assertEquals("a_b.pid", PidFileNames.sanitise("a\\b"));
    }

    @Test
    void nulBecomesAnUnderscore() {
        assertEquals("a_b.pid", PidFileNames.sanitise("a\0b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\t", "\u0001", "\u001b", "\u007f", "\u0085", "\u009f", "\u2028", "\u2029",
            "\u200b", "\u202e", "\ufeff", "\ud800", "\udfff", "\ue000"})
    void controlFormatSeparatorSurrogateAndPrivateUseCharactersBecomeUnderscores(String bad) {
        assertEquals("a_b.pid", PidFileNames.sanitise("a" + bad + "b"));
    }

    @Test
    void dotDotIsNeverAPathComponent() {
        String dotDot = PidFileNames.sanitise("..");
        assertNotEquals("..", dotDot);
        assertFalse(dotDot.startsWith("."), dotDot);
        assertEquals("_..pid", dotDot);
    }

    @Test
    void traversalBecomesOneHarmlessName() {
        String name = PidFileNames.sanitise("../../etc/passwd");
        assertFalse(name.contains("/"), name);
        assertFalse(name.startsWith("."), name);
        assertFalse(name.replace(".pid", "").contains(".."), name);
        assertTrue(name.endsWith(".pid"), name);
    }

    @Test
    void singleDotGetsNoLeadingDot() {
        assertEquals("_.pid", PidFileNames.sanitise("."));
    }

    @Test
    void aLeadingDotIsReplaced() {
        assertEquals("_hidden.pid", PidFileNames.sanitise(".hidden"));
        assertEquals("_.pid", PidFileNames.sanitise("..pid"));
    }

    @Test
    void emptyNamesGetADefault() {
        assertEquals("pidlock.pid", PidFileNames.sanitise(""));
        assertEquals("pidlock.pid", PidFileNames.sanitise(".pid"));
    }

    @Test
    void unicodeIsKept() {
        assertEquals("sauvegarde-été.pid", PidFileNames.sanitise("sauvegarde-été"));
        assertEquals("バックアップ.pid", PidFileNames.sanitise("バックアップ"));
        assertEquals("job-\ud83d\ude00.pid", PidFileNames.sanitise("job-\ud83d\ude00"));
    }

    /**
     * The same name must give the same file on every JDK, or two instances of one program run by different
     * JDKs (an application on 17, the command's image on 25) would lock different files. U+1FAE0 (Unicode 14)
     * and U+0CF3 (Unicode 15) are unassigned to JDK 17 and letters or symbols to JDK 25: both keep them.
     */
    @Test
    void charactersNewerThanTheJdksUnicodeAreKeptSoThatEveryJdkMapsANameAlike() {
        assertEquals("app\ud83e\udee0.pid", PidFileNames.sanitise("app\ud83e\udee0"));
        assertEquals("a\u0cf3b.pid", PidFileNames.sanitise("a\u0cf3b"));
    }

    /**
     * Format characters are replaced by a fixed list (Unicode 16), not by the JDK's opinion: those added after
     * JDK 17's Unicode 13 (U+0890, U+0891, U+13439..U+1343F) are replaced on every JDK, as are noncharacters.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\u0890", "\u0891", "\ud80d\udc39", "\ud80d\udc3f", "\u00ad", "\u2066", "\udb40\udc01",
            "\ufdd0", "\ufffe", "\uffff", "\ud83f\udfff", "\udbff\udffe"})
    void formatCharactersAndNoncharactersBecomeUnderscoresOnEveryJdk(String bad) {
        assertEquals("a_b.pid", PidFileNames.sanitise("a" + bad + "b"));
    }

    /** The fixed rule covers every character this JDK calls a control, format, surrogate, private or separator. */
    @Test
    void everyCharacterThisJdkCallsInvisibleOrUnsafeBecomesAnUnderscore() {
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int type = Character.getType(cp);
            if (cp == '/' || cp == '\\' || type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.SURROGATE || type == Character.PRIVATE_USE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                String name = "a" + new String(Character.toChars(cp)) + "b";
                String hex = Integer.toHexString(cp);
                assertEquals("a_b.pid", PidFileNames.sanitise(name), () -> "U+" + hex);
            }
        }
    }

    @Test
    void aNameThatFitsIsNotShortened() {
        String fits = "n".repeat(PidFileNames.MAX_BYTES - PidFileNames.SUFFIX.length());
        assertEquals(fits + ".pid", PidFileNames.sanitise(fits));
        assertEquals(PidFileNames.MAX_BYTES, utf8(PidFileNames.sanitise(fits)));
    }

    @Test
    void aLongNameIsTruncatedWithAHash() {
        String name = "n".repeat(1000);
        String result = PidFileNames.sanitise(name);
        assertTrue(utf8(result) <= PidFileNames.MAX_BYTES, result.length() + " chars");
        assertTrue(result.matches("n+-[0-9a-f]{8}\\.pid"), result);
        assertTrue(utf8(result) >= PidFileNames.MAX_BYTES - 4, "truncates to the budget, not far below it");
    }

    @Test
    void differentLongNamesStayDifferent() {
        String prefix = "x".repeat(400);
        String a = PidFileNames.sanitise(prefix + "a");
        String b = PidFileNames.sanitise(prefix + "b");
        assertNotEquals(a, b);
        assertTrue(utf8(a) <= PidFileNames.MAX_BYTES && utf8(b) <= PidFileNames.MAX_BYTES);
    }

    @Test
    void longMultiByteNamesAreCutOnCodePointBoundaries() {
        String name = "\ud83d\ude00".repeat(200) + "é".repeat(200);
        String result = PidFileNames.sanitise(name);
        assertTrue(utf8(result) <= PidFileNames.MAX_BYTES, utf8(result) + " bytes");
        assertTrue(StandardCharsets.UTF_8.newEncoder().canEncode(result), "no broken surrogate pair");
        assertTrue(result.endsWith(".pid"));
    }

    @Test
    void aTruncationThatWouldEndInADotDoesNot() {
        // ".." runs become "_." pairs, so the cut at 242 bytes lands right after a dot
        String name = "a".repeat(240) + ".".repeat(300);
        String result = PidFileNames.sanitise(name);
        assertTrue(result.matches("a{240}__-[0-9a-f]{8}\\.pid"), result);
    }
}
