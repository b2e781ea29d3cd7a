package dev.pidlock.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared ledger of a torture run: one file that every process appends to, each line in one
 * {@code write} call on a descriptor opened with {@code O_APPEND} (a small append is atomic on a local file
 * system, so lines never tear or interleave). The lines:
 *
 * <pre>
 * enter ID ROUND    ID got the lock and enters its critical section
 * exit ID ROUND     ID leaves it (and releases afterwards)
 * hold ID POINT     ID holds the lock, paused at POINT before its entry (ended only by a kill)
 * kill ID           the test is about to SIGKILL ID, which is stopped already and writes nothing more
 * </pre>
 *
 * {@link #check(List)} reads them in order and reports every overlap: an {@code enter} (or {@code hold}) while
 * another ID is inside. A {@code kill} line takes its ID out, so an entry after it is not an overlap.
 *
 * @since 0.1
 */
public final class Ledger implements AutoCloseable {

    private final Path file;
    private final FileChannel out;

    private Ledger(Path file, FileChannel out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Creates (or opens) a ledger file for appending.
     *
     * @param file the ledger
     * @return the ledger, open for {@link #append}
     * @throws IOException when it cannot be opened
      * @since 0.1
     */
    public static Ledger create(Path file) throws IOException {
        return new Ledger(file, FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
    }

    /**
     * @return the ledger file
     *
     * @since 0.1
     */
    public Path file() {
        return file;
    }

    /**
     * Appends one line in one {@code write} call.
     *
     * @param line the line, without its newline
      * @since 0.1
     */
    public void append(String line) {
        try {
            appendLine(out, line);
        } catch (IOException e) {
            throw new UncheckedIOException("append to " + file, e);
        }
    }

    /** Appends {@code line} and a newline to {@code channel} (opened with {@code APPEND}) in one write. */
    static void appendLine(FileChannel channel, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        int written = channel.write(ByteBuffer.wrap(bytes));
        if (written != bytes.length) {
            throw new IOException("short append: " + written + " of " + bytes.length + " bytes of \"" + line + "\"");
        }
    }

    /**
     * @return every line so far
     *
     * @since 0.1
     */
    public List<String> lines() {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file, e);
        }
    }

    /**
     * @return the size of the ledger file now, in bytes
     *
     * @since 0.1
     */
    public long size() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("size of " + file, e);
        }
    }

    /**
     * Waits until somebody enters (an {@code enter} line) after the line {@code marker}, looking only past byte
     * {@code from} (the ledger's {@link #size()} taken before {@code marker} was appended). This is the
     * no-deadlock check after a kill; the bound is generous and never a speed assertion.
     *
     * @param from     where to start looking
     * @param marker   the line to look after, for example {@code kill 1234}
     * @param patience how long to wait at most
     * @return the first {@code enter} line after {@code marker}, or null when none came within {@code patience}
      * @since 0.1
     */
    public String awaitEnterAfter(long from, String marker, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        do {
            boolean seen = false;
            for (String line : linesFrom(from)) {
                if (seen && line.startsWith("enter ")) {
                    return line;
                }
                seen |= line.equals(marker);
            }
            LockSupport.parkNanos(2_000_000);
        } while (System.nanoTime() < deadline);
        return null;
    }

    private List<String> linesFrom(long from) {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, size - from));
            while (buf.hasRemaining() && in.read(buf, from + buf.position()) > 0) {
                // read to the end
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file, e);
        }
    }

    /**
     * @return {@link #check(List)} of every line so far
     *
     * @since 0.1
     */
    public Check check() {
        return check(lines());
    }

    /**
     * Reads a ledger in order. Violations: an {@code enter} or {@code hold} while another ID is inside (the
     * overlap names both lines), an {@code exit} that does not close the same ID's entry of the same round, an
     * entry left open at the end without a kill, and any line that is not one of the four forms.
     *
     * @param lines the ledger's lines
     * @return rounds per ID, kills and violations
      * @since 0.1
     */
    public static Check check(List<String> lines) {
        Map<String, Integer> inside = new LinkedHashMap<>();
        Map<String, Long> rounds = new LinkedHashMap<>();
        List<String> violations = new ArrayList<>();
        long kills = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] w = line.split(" ");
            String id = w.length > 1 ? w[1] : "";
            switch (form(w)) {
                case "enter", "hold" -> {
                    if (!inside.isEmpty()) {
                        StringBuilder others = new StringBuilder();
                        for (int at : inside.values()) {
                            others.append(others.length() == 0 ? "" : ", ").append(show(lines, at));
                        }
                        violations.add("overlap: " + show(lines, i) + " while inside: " + others);
                    }
                    inside.put(id, i);
                    if (w[0].equals("enter")) {
                        rounds.merge(id, 1L, Long::sum);
                    }
                }
                case "exit" -> {
                    Integer at = inside.remove(id);
                    if (at == null || !lines.get(at).equals("enter " + id + " " + w[2])) {
                        violations.add("exit without its enter: " + show(lines, i)
                                + (at == null ? "" : " (inside since " + show(lines, at) + ")"));
                    }
                }
                case "kill" -> {
                    inside.remove(id);
                    kills++;
                }
                default -> violations.add("malformed: " + show(lines, i));
            }
        }
        for (int at : inside.values()) {
            violations.add("never left: " + show(lines, at) + " has no exit and no kill");
        }
        return new Check(rounds, kills, violations);
    }

    /** @return the line's verb when it has the right number of words, else {@code malformed} */
    private static String form(String[] words) {
        int expected = switch (words[0]) {
            case "enter", "exit", "hold" -> 3;
            case "kill" -> 2;
            default -> -1;
        };
        return words.length == expected ? words[0] : "malformed";
    }

    private static String show(List<String> lines, int index) {
        return "line " + (index + 1) + " \"" + lines.get(index) + "\"";
    }

    /**
     * @param problems violations or other problems, one line each
     * @param max      the most to list
     * @return the first {@code max} of them, each on a new indented line, and how many more there were
      * @since 0.1
     */
    public static String describe(List<String> problems, int max) {
        StringBuilder sb = new StringBuilder();
        problems.stream().limit(max).forEach(v -> sb.append("\n  ").append(v));
        if (problems.size() > max) {
            sb.append("\n  … and ").append(problems.size() - max).append(" more");
        }
        return sb.toString();
    }

    /**
     * Closes this process's descriptor of the ledger.
     *
     * @since 0.1
     */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("close " + file, e);
        }
    }

    /**
     * What {@link #check(List)} found.
     *
     * @param roundsById {@code enter} lines per ID, in order of first appearance
     * @param kills      {@code kill} lines
     * @param violations what broke, one line each (empty when the ledger is clean)
     * @since 0.1
     */
    public record Check(Map<String, Long> roundsById, long kills, List<String> violations) {
        /**
         * Copies the collections.
         *
         * @param roundsById {@code enter} lines per ID
         * @param kills      {@code kill} lines
         * @param violations what broke
          * @since 0.1
         */
        public Check {
            roundsById = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roundsById));
            violations = List.copyOf(violations);
        }

        /**
         * @return {@code enter} lines in all
         *
         * @since 0.1
         */
        public long rounds() {
            return roundsById.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * Compares the participants' own counts with the ledger: a lost or torn line would make the overlap check
         * say nothing, so every round a participant says it made must be in the ledger.
         *
         * @param doneLines the participants' {@code DONE ID rounds=N …} lines
         * @param expected  the rounds each was asked for, or 0 when it ran until told to stop
         * @return one line for each participant whose count, the ledger's and the expected one disagree
          * @since 0.1
         */
        public List<String> mismatchedRounds(List<String> doneLines, long expected) {
            List<String> problems = new ArrayList<>();
            for (String done : doneLines) {
                String[] w = done.split(" ");
                String id = w[1];
                long said = Long.parseLong(w[2].substring("rounds=".length()));
                long seen = roundsById.getOrDefault(id, 0L);
                if (said != seen || (expected > 0 && said != expected)) {
                    problems.add(id + " made " + said + " rounds" + (expected > 0 ? " (of " + expected + ")" : "")
                            + ", the ledger shows " + seen + ": " + done);
                }
            }
            return problems;
        }

        /**
         * @param max the most violations to list
         * @return {@link Ledger#describe} of the violations
          * @since 0.1
         */
        public String describe(int max) {
            return Ledger.describe(violations, max);
        }
    }
}
