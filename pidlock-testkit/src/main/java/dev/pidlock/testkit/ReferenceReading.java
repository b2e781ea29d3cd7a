package dev.pidlock.testkit;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The torture suites' own reading of pidfile contents and of processes, written from PRODUCT.md §4.5 and
 * independently of pidlock's parser: optional ASCII whitespace, decimal digits, optional ASCII whitespace,
 * at most 64 bytes in all, a pid in [2, pid_max]. Anything else names nobody.
 */
final class ReferenceReading {

    /** The most bytes a pidfile may hold and still name a pid (pidlock's documented bound). */
    static final int MAX_BYTES = 64;

    private static final long PID_MAX = readPidMax();

    private ReferenceReading() {
    }

    /** @return {@code /proc/sys/kernel/pid_max}, or Linux's ceiling 2^22 when it cannot be read */
    static long pidMax() {
        return PID_MAX;
    }

    private static long readPidMax() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/sys/kernel/pid_max"));
            return Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            return 4_194_304L;
        }
    }

    /**
     * @param bytes  the whole content of a pidfile
     * @param length the file's length (larger than {@code bytes.length} for a sparse tail of zeros)
     * @return the pid it names, or empty when it names nobody
     */
    static OptionalLong namedPid(byte[] bytes, long length) {
        if (length == 0 || length > MAX_BYTES) {
            return OptionalLong.empty();
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1)
                .replaceAll("^[ \\t\\n\\r\\x0B\\f]+|[ \\t\\n\\r\\x0B\\f]+$", "");
        if (!text.matches("[0-9]+")) {
            return OptionalLong.empty();
        }
        BigInteger value = new BigInteger(text);
        if (value.compareTo(BigInteger.TWO) < 0 || value.compareTo(BigInteger.valueOf(PID_MAX)) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.longValueExact());
    }

    /**
     * Reads a file from another process ({@code cat}): opening and closing it in this JVM would drop a POSIX
     * lock this JVM holds on it.
     *
     * @param path the file
     * @return its bytes
     * @throws IOException when {@code cat} fails
     */
    static byte[] catBytes(Path path) throws IOException {
        Process cat = new ProcessBuilder("cat", "--", path.toString()).start();
        try {
            byte[] out = cat.getInputStream().readAllBytes();
            String err = new String(cat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (cat.waitFor() != 0) {
                throw new IOException("cat " + path + " failed: " + err.strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** @return whether {@code pid} is a live process that runs (not a zombie waiting to be reaped) */
    static boolean runs(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !state(pid).equals("Z");
    }

    /** @return the state letter of {@code /proc/PID/stat} ({@code R}, {@code S}, {@code T}, {@code Z}, …), or "" */
    static String state(long pid) {
        try {
            String stat = Files.readAllLines(Path.of("/proc/" + pid + "/stat")).get(0);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() ? stat.substring(close + 2, close + 3) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** @return when {@code pid} started, as the JDK reads it */
    static Optional<Instant> start(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
    }

    /**
     * @param bytes what to show
     * @param limit the most bytes to show
     * @return the bytes as a one-line, printable, quoted string with their length
     */
    static String show(byte[] bytes, int limit) {
        StringBuilder sb = new StringBuilder().append(bytes.length).append(" bytes \"");
        for (int i = 0; i < Math.min(bytes.length, limit); i++) {
            int c = bytes[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? Character.toString(c)
                    : String.format("\\x%02x", c));
        }
        return sb.append(bytes.length > limit ? "\"..." : "\"").toString();
    }

    /**
     * @param s     what to show
     * @param limit the most chars to show
     * @return the string as one printable line, non-ASCII as {@code \}{@code uXXXX}
     */
    static String show(String s, int limit) {
        StringBuilder sb = new StringBuilder().append(s.length()).append(" chars \"");
        s.chars().limit(limit).forEach(c -> sb.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
                ? Character.toString(c) : String.format("\\u%04x", c)));
        return sb.append(s.length() > limit ? "\"..." : "\"").toString();
    }
}
