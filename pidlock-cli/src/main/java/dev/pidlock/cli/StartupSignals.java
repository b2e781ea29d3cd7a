package dev.pidlock.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the launcher tells about signals: which were ignored when pidlock started (read by the launcher script
 * from its own {@code /proc/PID/status} before the JVM ran), and which signal HotSpot suspends threads with;
 * and the environment a command gets (the launcher's {@code _JAVA_SR_SIGNUM} is the JVM's, not the command's).
 */
final class StartupSignals {
    /** System property: the launcher's {@code SigIgn} mask, in hexadecimal. */
    static final String IGNORED = "pidlock.startup.ignored";
    /** System property: the suspend/resume signal the launcher gave the JVM through {@code _JAVA_SR_SIGNUM}. */
    static final String SR_SIGNAL = "pidlock.javaSrSignum";
    /** System property: the caller's own {@code _JAVA_SR_SIGNUM}, when it had one. */
    static final String CALLER_SR = "pidlock.caller.javaSrSignum";
    private static final String SR_ENV = "_JAVA_SR_SIGNUM";
    private static final int SIGUSR2 = 12;

    private StartupSignals() {
    }

    /**
     * @return the signals ignored when pidlock started: from the launcher, else (pidlock started some other way)
     *         those this JVM ignores now, which HotSpot left ignored; glibc's internal 32 and 33 never count
     *         (a process started by glibc's {@code posix_spawn} has them ignored, whatever its parent did)
     */
    static Set<Integer> ignored() {
        String mask = System.getProperty(IGNORED);
        if (mask == null || mask.isBlank()) {
            mask = statusField("SigIgn");
        }
        Set<Integer> out = new TreeSet<>();
        if (mask == null) {
            return out;
        }
        long bits;
        try {
            bits = Long.parseUnsignedLong(mask.trim(), 16);
        } catch (NumberFormatException e) {
            return out;
        }
        for (int sig = 1; sig <= Long.SIZE; sig++) {
            if ((bits & (1L << (sig - 1))) != 0 && sig != 32 && sig != 33) {
                out.add(sig);
            }
        }
        return out;
    }

    /** @return whether SIGUSR2 is free: HotSpot suspends threads with another signal */
    static boolean usr2Free() {
        String sr = System.getenv(SR_ENV);
        if (sr == null) {
            return false;
        }
        try {
            int n = Integer.parseInt(sr.trim());
            return n != SIGUSR2 && n > 11 && n < 65;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * @param base the environment to start from (the caller's, as the launcher received it)
     * @return it as the command should get it: the JVM's thread suspend signal setting taken back out
     */
    static Map<String, String> commandEnvironment(Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        String ours = System.getProperty(SR_SIGNAL);
        if (ours != null && ours.equals(env.get(SR_ENV))) {
            String callers = System.getProperty(CALLER_SR);
            if (callers == null) {
                env.remove(SR_ENV);
            } else {
                env.put(SR_ENV, callers);
            }
        }
        return env;
    }

    /** @return a field of {@code /proc/self/status}, or null */
    private static String statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /**
     * @return whether this process's session has a controlling terminal ({@code tty_nr}, field 7 of
     *         {@code /proc/self/stat}, is not 0)
     */
    static boolean hasControllingTerminal() {
        try {
            String line = Files.readString(Path.of("/proc/self/stat"));
            String[] rest = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(rest[4]) != 0; // rest[0] is field 3
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
