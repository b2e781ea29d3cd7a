package dev.pidlock.internal.content;

import dev.pidlock.spi.OpenPidFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The strict reading of a pidfile's bytes: optional ASCII whitespace, decimal digits, optional ASCII
 * whitespace (a newline, typically). Anything else (empty, garbage, binary, oversized, pid &le; 1, a pid
 * beyond the system's range) names no holder, and says why.
 *
 * @param pid     the pid, when the content names a possible holder
 * @param reason  why it names none ({@link Reason#PID} when it does)
 * @param problem why it names none, in words with the details (empty string when it does)
 */
public record PidContent(OptionalLong pid, Reason reason, String problem) {

    /** What the content is. */
    public enum Reason {
        /** A pid that may be a holder. */
        PID,
        /** No bytes at all: a file just created, or truncated on release. */
        EMPTY,
        /** More bytes than a pidfile of ours ever holds. */
        OVERSIZED,
        /** Whitespace only. */
        BLANK,
        /** Something that is not decimal digits. */
        GARBAGE,
        /** A number beyond the system's largest pid. */
        OUT_OF_RANGE,
        /** 0 or 1: never a holder. */
        NEVER_A_HOLDER
    }

    /** The most bytes a pidfile of ours can hold: 19 digits and a newline, with room for whitespace. */
    public static final int MAX_BYTES = 64;

    /** Linux's largest possible pid_max (2^22); other systems use less. */
    public static final long DEFAULT_PID_MAX = 4_194_304L;

    public PidContent {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(problem, "problem");
    }

    /** @return whether the content names a possible holder */
    public boolean namesHolder() {
        return pid.isPresent();
    }

    /**
     * @param bytes  what the file holds (the caller reads at most {@link #MAX_BYTES} + 1 bytes)
     * @param pidMax the largest pid the system can have
     * @return the reading, never null, never an exception
     */
    public static PidContent parse(byte[] bytes, long pidMax) {
        if (bytes.length == 0) {
            return none(Reason.EMPTY, "the pidfile is empty");
        }
        if (bytes.length > MAX_BYTES) {
            return none(Reason.OVERSIZED, "the pidfile holds more than " + MAX_BYTES + " bytes");
        }
        int i = 0;
        int end = bytes.length;
        while (i < end && isSpace(bytes[i])) {
            i++;
        }
        while (end > i && isSpace(bytes[end - 1])) {
            end--;
        }
        if (i == end) {
            return none(Reason.BLANK, "the pidfile holds only whitespace");
        }
        long value = 0;
        for (int k = i; k < end; k++) {
            byte b = bytes[k];
            if (b < '0' || b > '9') {
                return none(Reason.GARBAGE, "the pidfile holds " + describe(bytes) + ", not a pid");
            }
            int digit = b - '0';
            if (value > (pidMax - digit) / 10) {
                return none(Reason.OUT_OF_RANGE, "the pidfile names pid " + new String(bytes, i, end - i, StandardCharsets.US_ASCII)
                        + ", beyond the largest pid " + pidMax);
            }
            value = value * 10 + digit;
        }
        if (value <= 1) {
            return none(Reason.NEVER_A_HOLDER, "the pidfile names pid " + value + ", which is never a holder");
        }
        return new PidContent(OptionalLong.of(value), Reason.PID, "");
    }

    /**
     * Reads and parses what {@code file} holds, at most {@link #MAX_BYTES} + 1 bytes, against this system's
     * largest pid.
     *
     * @param file an open pidfile
     * @return the reading
     * @throws IOException when reading fails
     */
    public static PidContent read(OpenPidFile file) throws IOException {
        return parse(file.read(MAX_BYTES + 1), SystemLimits.pidMax());
    }

    /**
     * @param pid the pid to record
     * @return what pidlock writes: the decimal pid and a newline
     */
    public static byte[] format(long pid) {
        return (pid + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static PidContent none(Reason reason, String problem) {
        return new PidContent(OptionalLong.empty(), reason, problem);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
    }

    private static String describe(byte[] bytes) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = Math.min(bytes.length, 16);
        for (int k = 0; k < shown; k++) {
            int c = bytes[k] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        if (bytes.length > shown) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
