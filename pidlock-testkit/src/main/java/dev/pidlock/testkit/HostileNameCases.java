package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Hostile lock names, generated: any Unicode, slashes, NUL, dots, empty, longer than a file name may be. A
 * name maps to one visible file of printable ASCII directly in the directory, the same every time, acquired
 * and released without leaving anything behind, or is refused with one clear line. A topic of
 * {@link HostileInputTorture}.
 *
 * <p>Examples per run: {@link TortureSettings#size(int, int) size(40, 400)} names; the test prints one
 * {@code TORTURE suite=hostile-names} line and a {@code HOSTILE names} line of details.
 *
 * @since 0.1
 */
public abstract class HostileNameCases extends HostileInputCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostileNameCases() {
    }

    /** Pieces that have broken file-name sanitisers, and look-alikes of the dangerous ones. */
    private static final List<String> TRICKY = List.of("/", "\\", "\0", ".", "..", "...", ".pid", "..pid", "pid",
            "a", " ", "-", "~", "*", "?", "$HOME", "%2e%2e%2f", "%", "%2F", "\n", "\r", "\t", "\u001b", "\u007f", "\u0085",
            "\u00a0", "\u00ad", "\u0301", "\u0338", "\u2044", "\u2215", "\uff0f", "\uff0e", "\u2024", "\u05d0",
            "\u0627", "\u200e", "\u200f", "\u202e", "\u2066", "\u2069", "\u200b", "\u2028", "\ufeff", "\ufffe",
            "\ud800", "\udbff", "\udc00", "\udfff", "\ue000", "\ud83d\ude00", "\udbff\udfff", "e\u0301", "\u00e9",
            "\u30d0", "\u1e9e", "\u0130", "CON", "nul");

    private static String fromCodePoints(List<Integer> codePoints) {
        StringBuilder sb = new StringBuilder(codePoints.size() * 2);
        codePoints.forEach(sb::appendCodePoint);
        return sb.toString();
    }

    private static Gen<String> names() {
        Gen<Integer> anyCodePoint = integers().between(0, Character.MAX_CODE_POINT);
        Gen<Integer> lowCodePoint = integers().between(0, 0x7f).mix(integers().between(0x0590, 0x0700), 20)
                .mix(integers().between(0xd7f0, 0xe010), 20);
        Gen<String> fixed = Generate.pick(List.of("", ".", "..", "/", "\0", "../escape", "/etc/passwd", "a/b",
                "./x", ".hidden", "x.pid", "x.pid.pid", ".pid", "..pid", "x.", "x..", "\u202eevil.pid"));
        Gen<String> shortAny = lists().of(anyCodePoint).ofSizeBetween(1, 30).map(HostileNameCases::fromCodePoints);
        Gen<String> shortLow = lists().of(lowCodePoint).ofSizeBetween(1, 30).map(HostileNameCases::fromCodePoints);
        Gen<String> tricky = lists().of(Generate.pick(TRICKY)).ofSizeBetween(1, 25).map(l -> String.join("", l));
        Gen<String> longAny = lists().of(anyCodePoint).ofSizeBetween(100, 600).map(HostileNameCases::fromCodePoints);
        Gen<String> longRepeated = Generate.pick(TRICKY).zip(integers().between(100, 1500), String::repeat);
        Gen<String> library = strings().allPossible().ofLengthBetween(0, 300);
        return Generate.frequency(List.of(Pair.of(10, fixed), Pair.of(20, shortAny), Pair.of(15, shortLow),
                Pair.of(25, tricky), Pair.of(10, longAny), Pair.of(10, longRepeated), Pair.of(10, library)))
                .describedAs(s -> ReferenceReading.show(s, 120));
    }

    /**
     * Whatever the name, {@code PidLock.named(name).directory(dir)} acquires one regular, visible file
     * directly inside {@code dir} (never outside it, never below it, never a dot-file, at most 255 bytes of
     * printable ASCII, so that no locale spells it differently, ending in {@code .pid}), the same file every
     * time for the same name, and releases it without leaving anything behind; or it refuses the name with
     * one clear line. Different names that share a file are counted and printed.
     *
     * @throws IOException when the directory cannot be set up
     */
    @Test
    void anyNameMapsToOneFileDirectlyInsideTheDirectory() throws IOException {
        Path area = Files.createDirectory(dir.resolve("area"));
        Path names = Files.createDirectory(area.resolve("names"));
        sentinel(names);
        sentinel(Files.createDirectory(area.resolve("sibling")));
        Map<String, String> firstNameOf = new HashMap<>();
        Map<String, String> collisions = new LinkedHashMap<>();
        AtomicLong refused = new AtomicLong();
        AtomicLong violations = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        try {
            qt().withExamples(TortureSettings.size(40, 400)).withShrinkCycles(30).forAll(names())
                    .checkAssert(name -> guarded(rounds, violations, () -> {
                        Optional<String> file = checkName(area, names, name);
                        if (file.isEmpty()) {
                            refused.incrementAndGet();
                            return;
                        }
                        String first = firstNameOf.putIfAbsent(file.get(), name);
                        if (first != null && !first.equals(name)) {
                            collisions.putIfAbsent(ReferenceReading.show(first, 40) + " and "
                                    + ReferenceReading.show(name, 40), file.get());
                        }
                    }, () -> { }));
        } finally {
            TortureSettings.report("hostile-names", backendId(), 1, rounds.get(), 0, violations.get());
            System.out.println("HOSTILE names backend=" + backendId() + " files=" + firstNameOf.size() + " refused="
                    + refused.get() + " collisions=" + collisions.size() + (collisions.isEmpty() ? ""
                    : " e.g. " + collisions.entrySet().stream().limit(3)
                            .map(e -> e.getKey() + " -> " + ReferenceReading.show(e.getValue(), 40))
                            .collect(Collectors.joining("; "))));
        }
    }

    /** @return the file name the lock got, or empty when the name was refused */
    private Optional<String> checkName(Path area, Path names, String name) throws Exception {
        String what = "name " + ReferenceReading.show(name, 120);
        TreeSnapshot before = TreeSnapshot.take(area);
        TreeSet<String> listed = list(names);
        Path planned;
        try {
            planned = PidLock.named(name).directory(names).backend(backendId()).path();
        } catch (IllegalArgumentException e) {
            assertEquals(1, String.valueOf(e.getMessage()).lines().count(), "one line: " + e.getMessage());
            assertTrue(TreeSnapshot.take(area).changesSince(before).isEmpty(), "refusing changes nothing: " + what);
            return Optional.empty();
        }
        assertEquals(planned, PidLock.named(name).directory(names).path(), "the same name, the same file: " + what);
        // checked before acquiring: a name that escaped would otherwise create a file outside the test
        assertEquals(names, planned.getParent(), "not directly inside the directory: " + planned + " for " + what);
        assertEquals(planned, planned.normalize(), "not a plain file name: " + planned + " for " + what);

        PidLock lock;
        try {
            lock = Liveness.within("acquire", () -> PidLock.named(name).directory(names).backend(backendId())
                    .acquire());
        } catch (IllegalArgumentException e) {
            assertEquals(1, String.valueOf(e.getMessage()).lines().count(), "one line: " + e.getMessage());
            assertTrue(TreeSnapshot.take(area).changesSince(before).isEmpty(), "refusing changes nothing: " + what);
            return Optional.empty();
        } catch (PidLockException e) {
            throw new AssertionError("unexpected " + e + " for " + what, e);
        }
        String file;
        try {
            Path path = lock.path();
            assertEquals(planned, path, "acquired another file than planned: " + what);
            assertEquals(names, path.getParent(), "not directly inside the directory: " + path + " for " + what);
            assertEquals(1, path.getFileName().getNameCount(), what);
            file = path.getFileName().toString();
            assertFalse(file.isEmpty() || file.equals(".") || file.equals(".."), file + " for " + what);
            assertFalse(file.startsWith("."), "a hidden file: " + file + " for " + what);
            assertTrue(file.endsWith(".pid"), file + " for " + what);
            assertTrue(file.chars().noneMatch(ch -> ch == '/' || ch == 0), file + " for " + what);
            assertTrue(file.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7E),
                    "not printable ASCII: " + ReferenceReading.show(file, 120) + " for " + what);
            int bytes = file.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= 255, bytes + " bytes: " + file + " for " + what);
            TreeSet<String> now = list(names);
            TreeSet<String> expected = new TreeSet<>(listed);
            expected.add(file);
            assertEquals(expected, now, "exactly one new entry, the pidfile: " + what);
            assertTrue(Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS), path + " for " + what);
            assertEquals(SELF + "\n", new String(ReferenceReading.catBytes(path), StandardCharsets.ISO_8859_1), what);
        } finally {
            Liveness.within("release", () -> {
                lock.close();
                return null;
            });
        }
        List<String> changes = TreeSnapshot.take(area).changesSince(before);
        assertTrue(changes.isEmpty(), "acquire and release leave the tree as it was: " + changes + " for " + what);
        return Optional.of(file);
    }

    private static TreeSet<String> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
