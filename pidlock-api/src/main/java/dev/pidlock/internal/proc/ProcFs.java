package dev.pidlock.internal.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads what {@link ProcessHandle} does not tell from Linux's {@code /proc}: resident memory and the
 * machine's total memory. Elsewhere every answer is empty: unknown, never a made-up number.
 */
public final class ProcFs {
    private static final Path PROC = Path.of("/proc");

    private ProcFs() {
    }

    /** @return whether this system has a Linux-style {@code /proc} */
    public static boolean present() {
        return Files.isReadable(PROC.resolve("self/status"));
    }

    /**
     * @param pid a process
     * @return its resident set size in bytes ({@code VmRSS}), when readable
     */
    public static OptionalLong residentBytes(long pid) {
        return kibibytesField(PROC.resolve(Long.toString(pid)).resolve("status"), "VmRSS:");
    }

    /** The kernel's {@code PF_EXITING} task flag ({@code include/linux/sched.h}): the task has begun to exit. */
    static final long PF_EXITING = 0x4;

    /**
     * Whether a process has exited or is exiting: a zombie ({@code Z}), dead ({@code X}), or flagged
     * {@code PF_EXITING} in {@code /proc/PID/stat}. A killed process closes its files, and so gives its locks up,
     * while it exits and before it turns zombie: in that window it holds no lock and runs no more code, though
     * {@link ProcessHandle#isAlive()} says true and its state is not yet {@code Z}.
     *
     * @param pid a process
     * @return whether it is exiting or gone (also when it was reaped since the caller saw it); false when
     *         {@code /proc} cannot tell
     */
    public static boolean hasExited(long pid) {
        Path dir = PROC.resolve(Long.toString(pid));
        String stat;
        try {
            stat = Files.readAllLines(dir.resolve("stat")).get(0);
        } catch (IOException | RuntimeException e) {
            // ENOENT, or ESRCH while the process is being reaped: gone if /proc is there and its entry is not
            return present() && !Files.exists(dir);
        }
        return exitedIn(stat);
    }

    /**
     * @param stat a line of {@code /proc/PID/stat}
     * @return whether it says that the process is exiting or gone
     */
    static boolean exitedIn(String stat) {
        char state = state(stat);
        if (state == 'Z' || state == 'X' || state == 'x') {
            return true;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ");
        try {
            return fields.length > 6 && (Long.parseLong(fields[6]) & PF_EXITING) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** @return the state letter after the command name in parentheses, or {@code ?} */
    private static char state(String stat) {
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
    }

    /** @return the machine's memory in bytes ({@code MemTotal}), when readable */
    public static OptionalLong totalMemoryBytes() {
        return kibibytesField(PROC.resolve("meminfo"), "MemTotal:");
    }

    static OptionalLong kibibytesField(Path file, String field) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return parseKibibytes(lines, field);
    }

    /**
     * @param lines the lines of a {@code /proc} status-style file
     * @param field the field's name with its colon
     * @return the field's value in bytes, when present and in kB
     */
    public static OptionalLong parseKibibytes(List<String> lines, String field) {
        for (String line : lines) {
            if (line.startsWith(field)) {
                String[] parts = line.substring(field.length()).trim().split("\\s+");
                if (parts.length == 2 && parts[1].equals("kB")) {
                    try {
                        long kib = Long.parseLong(parts[0]);
                        return kib < 0 || kib > Long.MAX_VALUE / 1024 ? OptionalLong.empty()
                                : OptionalLong.of(kib * 1024);
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
