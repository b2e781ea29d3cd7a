package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class PidFileNamesProperties {

    private static final Path DIR = Path.of("/some/dir");

    /** Pieces that have broken file-name sanitisers before. */
    private static final List<String> TRICKY = List.of("/", "\\", "\0", ".", "..", "...", ".pid", "pid", "a", "Z",
            " ", "-", "_", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u200b",
            "\u202e", "\ufeff", "\ud800", "\udbff", "\udc00", "\udfff", "\ue000", "\uffff", "é", "ß", "€",
            "バ", "\ud83d\ude00", "\udbff\udfff", "~", "*", ":", "?", "%", "%2e%2e", "%2E", "%2F", "%25", "%C3%A9", "%C3",
            "%%", "%G0", "e\u0301");

    private static String fromCodePoints(List<Integer> codePoints) {
        StringBuilder sb = new StringBuilder(codePoints.size() * 2);
        codePoints.forEach(sb::appendCodePoint); // lone surrogates (D800..DFFF) are appended as lone chars
        return sb.toString();
    }

    private static Gen<String> names() {
        Gen<Integer> anyCodePoint = integers().between(0, Character.MAX_CODE_POINT);
        Gen<Integer> lowCodePoint = integers().between(0, 0x7f).mix(integers().between(0xd700, 0xe100), 30);
        Gen<String> shortAny = lists().of(anyCodePoint).ofSizeBetween(0, 40).map(PidFileNamesProperties::fromCodePoints);
        Gen<String> shortLow = lists().of(lowCodePoint).ofSizeBetween(0, 40).map(PidFileNamesProperties::fromCodePoints);
        Gen<String> tricky = lists().of(Generate.pick(TRICKY)).ofSizeBetween(0, 60).map(l -> String.join("", l));
        Gen<String> longAny = lists().of(anyCodePoint).ofSizeBetween(120, 3000).map(PidFileNamesProperties::fromCodePoints);
        Gen<String> longRepeated = Generate.pick(TRICKY).zip(integers().between(1, 2000), String::repeat);
        Gen<String> library = strings().allPossible().ofLengthBetween(0, 300);
        Gen<String> nearTheLimit = integers().between(225, 260).zip(Generate.pick(TRICKY), tricky,
                (n, piece, tail) -> "n".repeat(n - 3 * utf8(piece)) + piece + tail);
        return Generate.pick(List.of(shortAny, shortLow, tricky, longAny, longRepeated, library, nearTheLimit))
                .flatMap(g -> g)
                .describedAs(PidFileNamesProperties::show);
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder().append(s.length()).append(" chars: \"");
        s.chars().limit(120).forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? Character.toString(c)
                : String.format("\\u%04x", c)));
        return sb.append(s.length() > 120 ? "\"..." : "\"").toString();
    }

    @Test
    void anyNameSanitisesToOneSafeAsciiFileNameInsideTheDirectory() {
        qt().withExamples(600).forAll(names()).checkAssert(name -> {
            String result = PidFileNames.sanitise(name);
            assertFalse(result.isEmpty(), "empty");
            assertNotEquals(".", result);
            assertNotEquals("..", result);
            assertFalse(result.startsWith("."), "leading dot: " + result);
            assertTrue(result.endsWith(".pid"), "no .pid suffix: " + result);
            assertTrue(result.chars().allMatch(c -> c >= 0x20 && c <= 0x7E && c != '/' && c != '\\'),
                    "not printable ASCII, or a separator, in " + show(result));
            int bytes = result.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= PidFileNames.MAX_BYTES, bytes + " bytes: " + show(result));
            Path resolved = DIR.resolve(result).normalize();
            assertEquals(DIR, resolved.getParent(), "escapes the directory: " + resolved);
            assertEquals(1, Path.of(result).getNameCount(), "not one component: " + result);
        });
    }

    @Test
    void theSameNameAlwaysGivesTheSameFile() {
        qt().withExamples(300).forAll(names()).checkAssert(name -> assertEquals(PidFileNames.sanitise(name),
                PidFileNames.sanitise(new String(name.toCharArray()))));
    }

    /**
     * A name whose file name fits is read back from it, byte for byte (its UTF-8, a lone U+DC80..U+DCFF as the
     * byte it stands for, any other unpaired surrogate as {@code ?}, with {@code .pid}), and its file name is the only spelling of those bytes: a character stands
     * for itself exactly when it may, so no two such names share a file. A name that had to be shortened keeps
     * a prefix of itself, cut between escapes, and a hash.
     */
    @Test
    void aNameIsReadBackFromItsFileSoNoTwoNamesShareOne() {
        qt().withExamples(600).forAll(names()).checkAssert(name -> {
            String result = PidFileNames.sanitise(name);
            String what = show(name) + " -> " + show(result);
            String withSuffix = name.endsWith(".pid") ? name : name + ".pid";
            byte[] bytes = PidFileNamesTest.surrogateEscaped(withSuffix);
            if (withSuffix.equals(".pid")) {
                assertEquals("pidlock.pid", result, what);
                return;
            }
            if (escapedLength(bytes) <= PidFileNames.MAX_BYTES) {
                assertCanonical(result, what);
                assertArrayEquals(bytes, PidFileNamesTest.readBack(result), what);
            } else {
                assertTrue(result.matches(".*-[0-9a-f]{8}\\.pid"), "no hash: " + what);
                String prefix = result.substring(0, result.length() - "-01234567.pid".length());
                assertTrue(prefix.length() >= PidFileNames.MAX_BYTES - "-01234567.pid".length() - 2,
                        "cut short: " + what);
                assertCanonical(prefix, what);
                byte[] kept = PidFileNamesTest.readBack(prefix);
                assertArrayEquals(Arrays.copyOf(bytes, kept.length), kept, "not a prefix of the name: " + what);
            }
        });
    }

    /** A byte that a file name may hold as itself. */
    private static boolean literal(int b) {
        return b >= 0x20 && b <= 0x7E && b != '/' && b != '\\' && b != '%';
    }

    private static int escapedLength(byte[] bytes) {
        int n = 0;
        for (int i = 0; i < bytes.length; i++) {
            n += literal(bytes[i] & 0xFF) && !(i == 0 && bytes[i] == '.') ? 1 : 3;
        }
        return n;
    }

    /** Every character stands for itself if it may, and is escaped, in upper-case hex, only if it must. */
    private static void assertCanonical(String file, String what) {
        for (int i = 0; i < file.length(); i++) {
            char c = file.charAt(i);
            if (c == '%') {
                assertTrue(i + 3 <= file.length() && file.substring(i + 1, i + 3).matches("[0-9A-F]{2}"),
                        "a broken escape at " + i + ": " + what);
                int b = Integer.parseInt(file.substring(i + 1, i + 3), 16);
                assertTrue(!literal(b) || (i == 0 && b == '.'), "an escape that was not needed at " + i + ": " + what);
                i += 2;
            } else {
                assertTrue(literal(c), "not printable ASCII, or a separator, at " + i + ": " + what);
                assertTrue(i > 0 || c != '.', "a leading dot: " + what);
            }
        }
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
