package dev.pidlock.fcntl.spawn;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Signal names and numbers on Linux (x86-64 and aarch64 share the generic numbering; checked against glibc's
 * {@code sigabbrev_np} by {@code SignalsTest}). Other systems number them differently (macOS: USR1 is 30), so
 * there the lookups refuse instead of guessing.
 */
final class Signals {

    /** Index = signal number, 1..31. */
    private static final String[] LINUX_NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    /** The highest real-time signal number on Linux with glibc ({@code SIGRTMAX}); 32 and 33 are glibc's. */
    static final int LAST = 64;

    private static final Map<String, Integer> BY_NAME = new HashMap<>();

    static {
        for (int n = 1; n < LINUX_NAMES.length; n++) {
            BY_NAME.put(LINUX_NAMES[n], n);
        }
        BY_NAME.put("IOT", 6);
        BY_NAME.put("CLD", 17);
        BY_NAME.put("POLL", 29);
    }

    private Signals() {
    }

    private static void requireLinux() {
        if (PosixSpawn.platform().isEmpty()) {
            throw new UnsupportedOperationException("signal numbers are not declared for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
    }

    /**
     * @param name {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}
     * @return its number
     * @throws IllegalArgumentException when unknown
     */
    static int number(String name) {
        requireLinux();
        String s = name.trim();
        if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException tooLong) {
                n = -1;
            }
            if (n < 1 || n > LAST) {
                throw new IllegalArgumentException("no signal number " + name + " (1.." + LAST + ")");
            }
            return n;
        }
        String upper = s.toUpperCase(Locale.ROOT);
        if (upper.startsWith("SIG")) {
            upper = upper.substring(3);
        }
        Integer n = BY_NAME.get(upper);
        if (n == null) {
            throw new IllegalArgumentException("unknown signal " + name);
        }
        return n;
    }

    /**
     * @param number a signal number
     * @return its name without {@code SIG}, or the number as text
     */
    static String name(int number) {
        requireLinux();
        if (number >= 1 && number < LINUX_NAMES.length) {
            return LINUX_NAMES[number];
        }
        return Integer.toString(number);
    }
}
