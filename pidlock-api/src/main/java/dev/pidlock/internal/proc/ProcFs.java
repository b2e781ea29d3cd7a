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

    /**
     * @param pid a process
     * @return whether it has exited and waits to be reaped ({@code Z} in {@code /proc/PID/stat})
     */
    public static boolean isZombie(long pid) {
        try {
            String stat = Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("stat")).get(0);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
