package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.pidlock.AlreadyRunningException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.UnsafePidFileException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Hostile input, generated: pidfile contents (any bytes up to 1 MiB, and sparse files of 2 GiB and 1 TiB),
 * lock names (any Unicode, slashes, NUL, dots, empty, longer than a file name may be), whatever is not a
 * regular file at the pidfile path (symlink chains to a file, a directory, a FIFO, a socket, nowhere, or
 * back to themselves; a directory; a FIFO; a UNIX socket; a device), and, when the suite runs as root, an
 * acquirer running as user {@code nobody} facing an unwritable directory, a pidfile owned by root, and a
 * world-writable directory without the sticky bit. Each gets a clean takeover or one clear error, never a
 * hang, never an undocumented exception; and before and after every case the whole test directory (names,
 * types, inodes, modes, owners, sizes, mtimes, content hashes, a sentinel file beside the pidfile) is
 * compared: nothing but the pidfile may change.
 *
 * <p>A backend module subclasses it and names its backend id:
 *
 * <pre>{@code
 * class NioHostileInputTortureTest extends HostileInputTorture {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>Examples per run: six fixed corners and {@link TortureSettings#size(int, int) size(40, 400)} generated
 * contents, {@code size(40, 400)} names, {@code size(25, 250)} unsafe paths; each test prints one
 * {@code TORTURE suite=hostile-…} line and a {@code HOSTILE …} line of details.
 *
 * @since 0.1
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
public abstract class HostileInputTorture {

    private static final int MIB = 1 << 20;

    /**
     * How many bytes an acquisition may read in all ({@code rchar} of {@code /proc/self/io}, which also counts
     * what other threads read: about a hundred bytes were seen). A file four times larger must not be read.
     */
    private static final long READ_BUDGET = 64 * 1024;

    private static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    private static final long SELF = ProcessHandle.current().pid();

    /**
     * A fresh directory per test.
     *
     * @since 0.1
     */
    @TempDir
    protected Path dir;

    private final Map<String, Integer> contentOutcomes = new TreeMap<>();

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostileInputTorture() {
    }

    /**
     * @return the id of the backend under test
     * @since 0.1
     */
    protected abstract String backendId();

    // ---- contents ----

    /**
     * What a generated pidfile holds.
     *
     * @param kind   how it was generated, for the report
     * @param head   the bytes written
     * @param length the file's length; beyond {@code head}, a sparse run of zeros
     */
    record Content(String kind, byte[] head, long length) {
        static Content of(byte[] bytes) {
            return new Content("corner", bytes, bytes.length);
        }

        @Override
        public String toString() {
            return "Content[" + kind + ", length " + length + ", " + ReferenceReading.show(head, 48) + "]";
        }
    }

    private static final List<byte[]> GARBAGE = List.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xff},
            "abc".getBytes(StandardCharsets.US_ASCII), "\n42".getBytes(StandardCharsets.US_ASCII),
            new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xe2, 0x28, (byte) 0xa1},
            new byte[] {(byte) 0xf0, (byte) 0x90, 0x28, (byte) 0xbc}, new byte[] {(byte) 0xc0, (byte) 0xaf},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
            "\u00a0".getBytes(StandardCharsets.UTF_8), "\u0663".getBytes(StandardCharsets.UTF_8),
            " 1".getBytes(StandardCharsets.US_ASCII), "-".getBytes(StandardCharsets.US_ASCII));

    private static final List<String> SPACE = List.of("", "", "", " ", "\t", "\n", "\r\n", "\u000B", "\f", "  \n");

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** @param live a live process that started before any generated file is written */
    private static Gen<Content> contents(long live) {
        Gen<Content> small = Generate.byteArrays(integers().between(0, 80),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)).map(b -> new Content("small", b, b.length));
        long pidMax = ReferenceReading.pidMax();
        Gen<String> number = longs().between(-5, 5_000_000).map(n -> Long.toString(n))
                .mix(longs().between(pidMax - 3, pidMax + 3).map(n -> Long.toString(n)), 20)
                .mix(Generate.pick(List.of("99999999999999999999", "18446744073709551617", "9223372036854775807",
                        "00000000000000000000000000000002", "")), 10)
                .mix(Generate.constant(Long.toString(live)), 30);
        Gen<Content> pidLike = Generate.pick(SPACE).zip(number, Generate.pick(SPACE), Generate.pick(GARBAGE),
                (a, n, b, g) -> {
                    byte[] bytes = concat(ascii(a + n + b), g);
                    return new Content("pid-like", bytes, bytes.length);
                });
        Gen<Long> someOrLive = longs().between(2, ReferenceReading.pidMax()).mix(Generate.constant(live), 50);
        Gen<Content> boundary = integers().between(58, 70).zip(someOrLive,
                Generate.pick(List.of(" ", "\n", "\t")), (total, pid, pad) -> {
                    String digits = pid + "\n";
                    byte[] bytes = ascii(pad.repeat(Math.max(0, total - digits.length())) + digits);
                    return new Content("boundary", bytes, bytes.length);
                });
        Gen<Content> lines = integers().between(2, 120_000).zip(longs().all(), (count, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < count && sb.length() < MIB - 16; i++) {
                sb.append(random.nextInt(2, 5_000_000)).append(random.nextBoolean() ? "\n" : "\r\n");
            }
            byte[] bytes = ascii(sb.toString());
            return new Content("lines", bytes, bytes.length);
        });
        Gen<Content> bigRandom = integers().between(65, MIB).zip(longs().all(), (length, seed) -> {
            byte[] bytes = new byte[length];
            new SplittableRandom(seed).nextBytes(bytes);
            return new Content("random", bytes, length);
        });
        Gen<Content> bigDigits = integers().between(65, MIB).zip(longs().all(), (length, seed) -> {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = random.nextInt(8) == 0 ? (byte) ' ' : (byte) ('0' + random.nextInt(10));
            }
            return new Content("digits", bytes, length);
        });
        Gen<Content> nuls = integers().between(1, MIB).map(length -> new Content("nuls", new byte[length], length));
        Gen<Content> sparse = Generate.pick(List.of((1L << 31) + 7, 1L << 40)).zip(number,
                (length, n) -> new Content("sparse", ascii(n + "\n"), length));
        return Generate.frequency(List.of(Pair.of(25, small), Pair.of(25, pidLike), Pair.of(10, boundary),
                Pair.of(6, lines), Pair.of(4, bigRandom), Pair.of(4, bigDigits), Pair.of(3, nuls),
                Pair.of(2, sparse)));
    }

    /**
     * Whatever bytes a pidfile holds, and however large it is, acquiring it either takes it over (the file
     * then holds exactly the acquirer's pid and a newline) or, when the bytes name a live process that may
     * have written them, refuses as already running with that pid, leaving the file as it was. The acquirer
     * never reads the whole of a large file, never hangs, never throws anything else.
     *
     * @throws IOException when the directory cannot be set up
     */
    @Test
    void anyContentIsTakenOverCleanlyOrNamesALiveProcess() throws IOException {
        Path area = Files.createDirectory(dir.resolve("area"));
        Path pidfile = area.resolve("content.pid");
        sentinel(area);
        Map<String, Integer> kinds = new TreeMap<>();
        AtomicLong violations = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            long live = sleeper.pid();
            String line = live + "\n";
            byte[] at64 = ascii(" ".repeat(ReferenceReading.MAX_BYTES - line.length()) + line);
            byte[] at65 = ascii(" ".repeat(ReferenceReading.MAX_BYTES + 1 - line.length()) + line);
            // the corners first, every run: the 64-byte bound on both sides, with a live pid
            List<Content> corners = List.of(Content.of(at64), Content.of(at65), Content.of(ascii(live + "\0")),
                    Content.of(ascii(line + line)), Content.of(new byte[MIB]),
                    new Content("corner", ascii(line), 1L << 31));
            for (Content c : corners) {
                guarded(rounds, violations, () -> checkContent(area, pidfile, c), () -> Files.deleteIfExists(pidfile));
            }
            qt().withExamples(TortureSettings.size(40, 400)).withShrinkCycles(30).forAll(contents(live))
                    .checkAssert(c -> guarded(rounds, violations, () -> {
                        kinds.merge(c.kind(), 1, Integer::sum);
                        checkContent(area, pidfile, c);
                    }, () -> Files.deleteIfExists(pidfile)));
            assertTrue(sleeper.isAlive(), "the live process named in pidfiles is never signalled");
        } finally {
            sleeper.destroyForcibly();
            TortureSettings.report("hostile-content", backendId(), 2, rounds.get(), 0, violations.get());
            System.out.println("HOSTILE content backend=" + backendId() + " kinds=" + kinds + " outcomes="
                    + contentOutcomes);
        }
    }

    /**
     * A pidfile of 1 TiB (sparse, behind a pid-like first line) is taken over like any oversized file:
     * pidlock reads a bounded prefix, so this neither hangs nor runs out of memory.
     *
     * @throws Exception when the file cannot be made
     */
    @Test
    void aTerabytePidfileIsTakenOverWithoutReadingIt() throws Exception {
        Path area = Files.createDirectory(dir.resolve("area"));
        sentinel(area);
        checkContent(area, area.resolve("huge.pid"), new Content("sparse", ascii(SELF + "\n"), 1L << 40));
    }

    private void checkContent(Path area, Path pidfile, Content c) throws Exception {
        Files.write(pidfile, c.head());
        if (c.length() > c.head().length) {
            try (RandomAccessFile f = new RandomAccessFile(pidfile.toFile(), "rw")) {
                f.setLength(c.length());
            }
        }
        FileTime written = Files.getLastModifiedTime(pidfile);
        OptionalLong named = ReferenceReading.namedPid(c.head(), c.length());
        String what = c + " naming " + (named.isPresent() ? "pid " + named.getAsLong() : "nobody");
        TreeSnapshot before = TreeSnapshot.take(area, pidfile);

        long readBefore = bytesRead();
        PidLock held = null;
        AlreadyRunningException running = null;
        try {
            held = Liveness.within("acquire", () -> PidLock.at(pidfile).backend(backendId()).acquire());
        } catch (AlreadyRunningException e) {
            running = e;
        } catch (PidLockException e) {
            throw new AssertionError("unexpected " + e + " for " + what, e);
        }
        long read = bytesRead() - readBefore;
        contentOutcomes.merge(running != null ? "running" : "taken-over", 1, Integer::sum);
        try {
            if (c.length() >= 4 * READ_BUDGET && read >= 0) {
                assertTrue(read < READ_BUDGET, "acquiring read " + read + " bytes of a " + c.length()
                        + "-byte pidfile: " + what);
            }
            if (running != null) {
                assertTrue(named.isPresent() && named.getAsLong() == running.pid(),
                        "already running with pid " + running.pid() + ", but the content names no such pid: "
                                + what + ": " + running.getMessage());
                assertEquals(c.length(), Files.size(pidfile), "a respected file is not touched: " + what);
                assertArrayEquals(c.head(), Files.readAllBytes(pidfile), "a respected file is not touched: " + what);
                assertEquals(written, Files.getLastModifiedTime(pidfile), "a respected file is not touched: " + what);
            } else {
                if (named.isPresent() && named.getAsLong() != SELF && ReferenceReading.runs(named.getAsLong())) {
                    Optional<Instant> start = ReferenceReading.start(named.getAsLong());
                    assertFalse(start.isPresent() && !start.get().isAfter(written.toInstant()),
                            "pid " + named.getAsLong() + " runs since " + start + ", before the file was written at "
                                    + written + ", yet the file was taken over: " + what);
                }
                assertEquals(SELF + "\n", new String(ReferenceReading.catBytes(pidfile), StandardCharsets.ISO_8859_1),
                        "after a takeover the file holds exactly the acquirer's pid: " + what);
                PidLock mine = held;
                Liveness.within("release", () -> {
                    mine.close();
                    return null;
                });
                held = null;
                assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "release removes the file: " + what);
            }
        } finally {
            if (held != null) {
                held.close();
            }
        }
        List<String> changes = TreeSnapshot.take(area, pidfile).changesSince(before, pidfile);
        assertTrue(changes.isEmpty(), "only the pidfile may change: " + changes + " for " + what);
    }

    /** @return this process's {@code rchar} (bytes read through read(2) and friends), or -1 when unknown */
    private static long bytesRead() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("rchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    // ---- names ----

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
        Gen<String> shortAny = lists().of(anyCodePoint).ofSizeBetween(1, 30).map(HostileInputTorture::fromCodePoints);
        Gen<String> shortLow = lists().of(lowCodePoint).ofSizeBetween(1, 30).map(HostileInputTorture::fromCodePoints);
        Gen<String> tricky = lists().of(Generate.pick(TRICKY)).ofSizeBetween(1, 25).map(l -> String.join("", l));
        Gen<String> longAny = lists().of(anyCodePoint).ofSizeBetween(100, 600).map(HostileInputTorture::fromCodePoints);
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

    // ---- anything but a regular file ----

    /** What is at the pidfile path. */
    enum Occupant {
        /** A chain of symlinks ending at {@link Case#end()}. */
        SYMLINKS("symbolic link"),
        /** A directory, empty or not. */
        DIRECTORY("directory"),
        /** A named pipe nobody writes to: opening it for reading would block. */
        FIFO("FIFO"),
        /** A bound, listening UNIX domain socket. */
        SOCKET("socket"),
        /** The null character device (made only as root). */
        DEVICE("device");

        final String word;

        Occupant(String word) {
            this.word = word;
        }
    }

    /** Where a chain of symlinks ends. */
    enum End {
        /** A regular file, with content and an old mtime that must survive. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A FIFO. */
        FIFO,
        /** A listening socket. */
        SOCKET,
        /** Nothing: a dangling link, whose target must not be created. */
        NOWHERE,
        /** Back to the pidfile path: a loop. */
        LOOP
    }

    /** How the path is approached. */
    enum Operation {
        /** {@code acquire()}. */
        ACQUIRE,
        /** {@code tryAcquire()}: an unsafe path is an error, not "somebody holds it". */
        TRY_ACQUIRE,
        /** {@code acquire(200 ms)}: refused at once, not after waiting. */
        ACQUIRE_WAITING,
        /** {@code named("app").directory(dir).acquire()}, which names the same path. */
        NAMED,
        /** {@code inspect()}: unknown, naming the kind of file. */
        INSPECT
    }

    /**
     * One generated unsafe path.
     *
     * @param occupant what is at the path
     * @param chain    how many symlinks (for {@link Occupant#SYMLINKS}); for a directory, whether it has a file
     * @param end      where a chain ends
     * @param relative whether symlinks point by relative names
     * @param op       how the path is approached
     */
    record Case(Occupant occupant, int chain, End end, boolean relative, Operation op) {
    }

    private static Gen<Case> unsafeCases() {
        Gen<Occupant> occupants = Generate.frequency(List.of(Pair.of(6, Generate.constant(Occupant.SYMLINKS)),
                Pair.of(2, Generate.constant(Occupant.DIRECTORY)), Pair.of(2, Generate.constant(Occupant.FIFO)),
                Pair.of(2, Generate.constant(Occupant.SOCKET)), Pair.of(1, Generate.constant(Occupant.DEVICE))));
        return occupants.zip(integers().between(1, 8), Generate.enumValues(End.class), booleans().all(),
                Generate.enumValues(Operation.class), Case::new);
    }

    /**
     * Whatever is at the pidfile path if not a regular file — a symlink (to a file, a chain, a directory, a
     * FIFO, a socket, nowhere, itself), a directory, a FIFO, a socket, a device — every way of acquiring it is
     * refused at once with {@link UnsafePidFileException} naming the path and what is there, and inspecting
     * it says unknown. Nothing is created, nothing changes: not a symlink's target (content, mtime), not
     * the sentinel beside it.
     *
     * @throws IOException when the directory cannot be set up
     */
    @Test
    void anythingButARegularFileAtThePathIsRefusedAndLeftAlone() throws IOException {
        Path area = Files.createDirectory(dir.resolve("area"));
        AtomicLong violations = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        Map<Occupant, Integer> seen = new EnumMap<>(Occupant.class);
        try {
            qt().withExamples(TortureSettings.size(25, 250)).withShrinkCycles(30).forAll(unsafeCases())
                    .checkAssert(c -> guarded(rounds, violations, () -> {
                        if (checkUnsafe(area, c)) {
                            seen.merge(c.occupant(), 1, Integer::sum);
                        }
                    }, () -> deleteTree(area.resolve("case"))));
        } finally {
            TortureSettings.report("hostile-paths", backendId(), 1, rounds.get(), 0, violations.get());
            System.out.println("HOSTILE paths backend=" + backendId() + " occupants=" + seen);
        }
    }

    /** @return false when the case could not be set up here (a device node needs root) */
    private boolean checkUnsafe(Path area, Case c) throws Exception {
        Path caseDir = Files.createDirectory(area.resolve("case"));
        Path pidfile = caseDir.resolve("app.pid");
        sentinel(caseDir);
        Path targets = Files.createDirectory(caseDir.resolve("t"));
        Path precious = targets.resolve("precious.txt");
        Files.writeString(precious, "precious\n");
        Files.setLastModifiedTime(precious, LONG_AGO);
        Files.createDirectory(targets.resolve("dir"));
        sentinel(targets.resolve("dir"));
        List<ServerSocketChannel> sockets = new ArrayList<>();
        try {
            switch (c.occupant()) {
                case SYMLINKS -> {
                    Path end = switch (c.end()) {
                        case FILE -> precious;
                        case DIRECTORY -> targets.resolve("dir");
                        case FIFO -> mkfifo(targets.resolve("fifo"));
                        case SOCKET -> bind(targets.resolve("sock"), sockets);
                        case NOWHERE -> targets.resolve("nowhere");
                        case LOOP -> pidfile;
                    };
                    Path from = pidfile;
                    for (int i = 1; i < c.chain(); i++) {
                        Path next = caseDir.resolve("link" + i);
                        link(from, next, c.relative());
                        from = next;
                    }
                    link(from, end, c.relative());
                }
                case DIRECTORY -> {
                    Files.createDirectory(pidfile);
                    if (c.chain() % 2 == 0) {
                        sentinel(pidfile);
                    }
                }
                case FIFO -> mkfifo(pidfile);
                case SOCKET -> bind(pidfile, sockets);
                case DEVICE -> {
                    if (!Unprivileged.isRoot() || !run("mknod", pidfile.toString(), "c", "1", "3")) {
                        return false;
                    }
                }
            }
            String what = c + " at " + pidfile;
            TreeSnapshot before = TreeSnapshot.take(area);
            if (c.op() == Operation.INSPECT) {
                PidFileStatus status = Liveness.within("inspect", () -> PidLock.at(pidfile).backend(backendId())
                        .inspect());
                assertEquals(PidFileStatus.State.UNKNOWN, status.state(), status + " for " + what);
                assertTrue(status.detail().contains(c.occupant().word), status + " for " + what);
            } else {
                Object result;
                try {
                    result = Liveness.within(c.op().name(), () -> attempt(c.op(), pidfile, caseDir));
                } catch (UnsafePidFileException e) {
                    result = e;
                } catch (PidLockException e) {
                    throw new AssertionError("not refused as unsafe but " + e + " for " + what, e);
                }
                if (result instanceof PidLock lock) {
                    lock.close();
                }
                assertTrue(result instanceof UnsafePidFileException, "must be refused as unsafe, got " + result
                        + " for " + what);
                String m = ((UnsafePidFileException) result).getMessage();
                assertTrue(m.contains(pidfile.toString()) && m.contains(c.occupant().word) && !m.contains("\n"),
                        "one line naming the path and \"" + c.occupant().word + "\": " + m);
            }
            List<String> changes = TreeSnapshot.take(area).changesSince(before);
            assertTrue(changes.isEmpty(), "nothing may change: " + changes + " for " + what);
            return true;
        } finally {
            for (ServerSocketChannel s : sockets) {
                s.close();
            }
        }
    }

    private Object attempt(Operation op, Path pidfile, Path caseDir) throws InterruptedException {
        String id = backendId();
        return switch (op) {
            case ACQUIRE -> PidLock.at(pidfile).backend(id).acquire();
            case TRY_ACQUIRE -> PidLock.at(pidfile).backend(id).tryAcquire().map(Object.class::cast)
                    .orElse("tryAcquire said somebody holds it");
            case ACQUIRE_WAITING -> PidLock.at(pidfile).backend(id).acquire(Duration.ofMillis(200));
            case NAMED -> PidLock.named("app").directory(caseDir).backend(id).acquire();
            case INSPECT -> throw new IllegalArgumentException("inspect is not an acquisition");
        };
    }

    private static void link(Path link, Path target, boolean relative) throws IOException {
        Files.createSymbolicLink(link, relative ? link.getParent().relativize(target) : target);
    }

    private static Path mkfifo(Path p) throws IOException {
        if (!run("mkfifo", p.toString())) {
            throw new IOException("mkfifo " + p + " failed");
        }
        return p;
    }

    private static Path bind(Path p, List<ServerSocketChannel> sockets) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        sockets.add(s);
        s.bind(UnixDomainSocketAddress.of(p));
        return p;
    }

    private static boolean run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    // ---- unprivileged ----

    /**
     * Run as root, the suite starts one child JVM as user {@code nobody} that tries, with the backend under
     * test: a pidfile in a directory it cannot write (refused: {@code EACCES}, one line naming the path); a
     * pidfile owned by root, mode 0644, in a directory it cannot write (refused the same way); one owned by
     * root, mode 0666 (it may open and lock it, but not set its mode: refused with {@code EPERM} before anything is
     * written); one in a world-writable
     * directory without the sticky bit (refused as unsafe); one owned by root in a sticky world-writable
     * directory (refused: {@code EACCES}); and, as the control that shows the child can lock at all, a new
     * pidfile in that sticky directory (acquired, owned by {@code nobody}, mode 0644, removed on release).
     * Nothing else changes. Skipped, saying why, when not run as root.
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void unprivilegedAcquirerGetsOneClearErrorAndChangesNothing() throws Exception {
        assumeTrue(Unprivileged.isRoot(), "the unprivileged cases switch to user nobody, which needs root;"
                + " this suite runs as another user");
        Optional<List<String>> prefix = Unprivileged.prefix();
        assumeTrue(prefix.isPresent(), "neither setpriv nor runuser is installed, or there is no user nobody");
        assumeTrue(Unprivileged.othersCanPass(dir.getParent()), "user nobody cannot reach the temporary"
                + " directory " + dir + " (java.io.tmpdir)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path area = Files.createDirectory(dir.resolve("area"));
        Path scratch = Files.createDirectory(dir.resolve("scratch"));
        Files.setPosixFilePermissions(area, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path locked = directory(area.resolve("locked"), "rwxr-xr-x");
        Path foreign = directory(area.resolve("foreign"), "rwxr-xr-x");
        Path rootsFile = rootFile(foreign.resolve("app.pid"), "rw-r--r--");
        Path shared = rootFile(foreign.resolve("shared.pid"), "rw-rw-rw-");
        Path open = directory(area.resolve("open"), "rwxrwxrwx");
        Path sticky = directory(area.resolve("sticky"), "rwxrwxrwx");
        run("chmod", "1777", sticky.toString());
        Path stickyRoots = rootFile(sticky.resolve("root.pid"), "rw-r--r--");
        List<Path> paths = List.of(locked.resolve("app.pid"), rootsFile, shared, open.resolve("app.pid"), stickyRoots,
                sticky.resolve("mine.pid"));
        TreeSnapshot before = TreeSnapshot.take(area);

        Unprivileged.Command command = Unprivileged.command(scratch, prefix.get(), AttemptChild.class.getName(),
                Stream.concat(Stream.of(backendId()), paths.stream().map(Path::toString)).toArray(String[]::new));
        long violations = 1;
        try (ChildProcess child = ChildProcess.start(null, command.command())) {
            String whoami = child.expect("WHOAMI ");
            assertEquals("WHOAMI " + Unprivileged.uid(), whoami, "the child must run as " + Unprivileged.USER
                    + "; stderr:\n" + child.stderr());
            List<String[]> results = new ArrayList<>();
            for (int i = 1; i <= paths.size(); i++) {
                String line = child.expect("RESULT " + i + " ");
                System.out.println("HOSTILE unprivileged backend=" + backendId() + " " + line);
                results.add(line.split(" ", 7));
            }
            child.expect("DONE");
            assertEquals(0, child.waitFor(), child.stderr());

            accessDenied(results.get(0), paths.get(0));
            accessDenied(results.get(1), paths.get(1));
            notPermitted(results.get(2), paths.get(2));
            String[] unsafe = results.get(3);
            assertEquals("UnsafePidFileException", unsafe[3], String.join(" ", unsafe));
            assertTrue(unsafe[6].contains(paths.get(3).toString()) && unsafe[6].contains("world-writable"),
                    String.join(" ", unsafe));
            assertEquals("lines=1", unsafe[5], String.join(" ", unsafe));
            accessDenied(results.get(4), paths.get(4));
            String[] mine = results.get(5);
            assertEquals("ACQUIRED", mine[2], "the control: nobody can lock where it may write: "
                    + String.join(" ", mine) + "; stderr:\n" + child.stderr());
            assertEquals(Integer.toString(Unprivileged.uid()), mine[4], "owned by nobody: " + String.join(" ", mine));
            assertEquals("644", mine[5], "mode 0644: " + String.join(" ", mine));

            List<String> changes = TreeSnapshot.take(area).changesSince(before);
            assertTrue(changes.isEmpty(), "nothing may change: " + changes);
            violations = 0;
            if (!command.copied().isEmpty()) {
                System.out.println("HOSTILE unprivileged backend=" + backendId() + ": copied "
                        + command.copied().size() + " class path entries " + Unprivileged.USER
                        + " cannot read to " + scratch.resolve("classpath"));
            }
        } finally {
            TortureSettings.report("hostile-unprivileged", backendId(), 2, paths.size(), 0, violations);
        }
    }

    /** An EACCES refusal: {@code RESULT i ERROR PidFileAccessException EACCES lines=1 message}. */
    private static void accessDenied(String[] result, Path path) {
        String line = String.join(" ", result);
        assertEquals("PidFileAccessException", result[3], line);
        assertEquals("EACCES", result[4], line);
        assertEquals("lines=1", result[5], line);
        assertTrue(result[6].contains(path.toString()) && result[6].contains("EACCES"), line);
    }

    /** An EPERM refusal (the mode of another user's file cannot be set): one line naming the path. */
    private static void notPermitted(String[] result, Path path) {
        String line = String.join(" ", result);
        assertEquals("PidFileAccessException", result[3], line);
        assertEquals("EPERM", result[4], line);
        assertEquals("lines=1", result[5], line);
        assertTrue(result[6].contains(path.toString()) && result[6].contains("EPERM"), line);
    }

    private static Path directory(Path d, String mode) throws IOException {
        Files.createDirectory(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    private static Path rootFile(Path f, String mode) throws IOException {
        Files.writeString(f, "garbage that names no live process\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        Files.setLastModifiedTime(f, LONG_AGO);
        return f;
    }

    // ---- shared ----

    /** A step of a case that may throw anything. */
    private interface Step {
        void run() throws Exception;
    }

    /** Runs one generated case: counts it, counts a failure as a violation, and always cleans up. */
    private static void guarded(AtomicLong rounds, AtomicLong violations, Step body, Step cleanup) {
        rounds.incrementAndGet();
        try {
            body.run();
        } catch (AssertionError | RuntimeException e) {
            violations.incrementAndGet();
            throw e;
        } catch (Exception e) {
            violations.incrementAndGet();
            throw new AssertionError(e);
        } finally {
            try {
                cleanup.run();
            } catch (Exception e) {
                throw new AssertionError("cleaning up failed", e);
            }
        }
    }

    /** Puts a sentinel file, with content and an old mtime, in {@code d}. */
    private static void sentinel(Path d) throws IOException {
        Path s = d.resolve("sentinel.txt");
        Files.writeString(s, "sentinel\n");
        Files.setLastModifiedTime(s, LONG_AGO);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
