package dev.pidlock.internal.naming;

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
            "バ", "\ud83d\ude00", "\udbff\udfff", "~", "*", ":", "%2e%2e");

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
        return Generate.pick(List.of(shortAny, shortLow, tricky, longAny, longRepeated, library))
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
    void anyNameSanitisesToOneSafeFileNameInsideTheDirectory() {
        qt().withExamples(600).forAll(names()).checkAssert(name -> {
            String result = PidFileNames.sanitise(name);
            assertFalse(result.isEmpty(), "empty");
            assertNotEquals(".", result);
            assertNotEquals("..", result);
            assertFalse(result.startsWith("."), "leading dot: " + result);
            assertTrue(result.endsWith(".pid"), "no .pid suffix: " + result);
            assertTrue(result.chars().noneMatch(c -> c == '/' || c == '\\' || c == 0 || Character.isISOControl(c)),
                    "forbidden character in " + show(result));
            assertTrue(StandardCharsets.UTF_8.newEncoder().canEncode(result), "lone surrogate in " + show(result));
            int bytes = result.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= PidFileNames.MAX_BYTES, bytes + " bytes: " + show(result));
            Path resolved = DIR.resolve(result).normalize();
            assertEquals(DIR, resolved.getParent(), "escapes the directory: " + resolved);
            assertEquals(1, Path.of(result).getNameCount(), "not one component: " + result);
        });
    }

    @Test
    void sanitisingASanitisedNameChangesNothing() {
        qt().withExamples(300).forAll(names()).checkAssert(name -> {
            String once = PidFileNames.sanitise(name);
            assertEquals(once, PidFileNames.sanitise(once));
        });
    }
}
