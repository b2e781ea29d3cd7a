package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.pidlock.AlreadyRunningException;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Hostile pidfile contents, generated: any bytes up to 1 MiB, and sparse files of 2 GiB and 1 TiB. Acquiring
 * takes the file over cleanly or refuses as already running with the live pid the bytes name, never reads
 * the whole of a large file, never hangs, never throws anything else; and nothing but the pidfile changes.
 * A topic of {@link HostileInputTorture}.
 *
 * <p>Examples per run: six fixed corners and {@link TortureSettings#size(int, int) size(40, 400)} generated
 * contents; the generated test prints one {@code TORTURE suite=hostile-content} line and a
 * {@code HOSTILE content} line of details.
 *
 * @since 0.1
 */
public abstract class HostileContentCases extends HostileInputCase {

    private static final int MIB = 1 << 20;

    /**
     * How many bytes an acquisition may read in all ({@code rchar} of {@code /proc/self/io}, which also counts
     * what other threads read: about a hundred bytes were seen). A file four times larger must not be read.
     */
    private static final long READ_BUDGET = 64 * 1024;

    private final Map<String, Integer> contentOutcomes = new TreeMap<>();

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostileContentCases() {
    }

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
}
