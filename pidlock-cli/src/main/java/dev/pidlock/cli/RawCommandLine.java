package dev.pidlock.cli;

import dev.pidlock.fcntl.spawn.RawBytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line and the environment as the kernel gave them to this process, byte for byte, whatever the
 * locale: the JVM decodes both with the locale's character set (under {@code LANG=C}, every byte above 0x7F
 * becomes {@code U+FFFD}), so the bytes are read again from {@code /proc/self/cmdline} and
 * {@code /proc/self/environ} and decoded with {@link RawBytes} (UTF-8, other bytes kept as lone surrogates).
 * A name then gives the same file in every locale, and the command receives its arguments and environment
 * exactly.
 *
 * <p>The launcher script runs the JVM under {@code LC_ALL=C.UTF-8} (so that the JVM's file names are UTF-8:
 * {@code sun.jnu.encoding} follows the locale and cannot be set) and keeps the caller's {@code LC_ALL} in
 * {@value #SAVED_LC_ALL}: {@code -} when it was unset, {@code =VALUE} when it was set; {@link #environment()}
 * puts it back for the command.
 */
final class RawCommandLine {

    /** The variable in which the launcher keeps the caller's {@code LC_ALL}. */
    static final String SAVED_LC_ALL = "PIDLOCK_LAUNCHER_LC_ALL";

    private RawCommandLine() {
    }

    /**
     * @param args what the JVM passed to {@code main}
     * @return the same arguments from {@code /proc/self/cmdline}, byte for byte; {@code args} when they cannot
     *         be found there for sure
     */
    static String[] arguments(String[] args) {
        List<byte[]> all = entries(Path.of("/proc/self/cmdline"));
        return userArguments(all, args, System.getProperty("sun.java.command")).orElse(args);
    }

    /**
     * The JVM's own options (from the launcher script, {@code JDK_JAVA_OPTIONS} is not in the command line)
     * come before the main class or module; the arguments of {@code main} are the last {@code args.length}
     * entries. They are taken only when the entry before them is the main class or module that
     * {@code sun.java.command} names, and every argument that is ASCII is the same as the JVM's.
     *
     * @param all     the entries of {@code /proc/self/cmdline}
     * @param args    what the JVM passed to {@code main}
     * @param command {@code sun.java.command}: the main class or module, then the arguments
     * @return the arguments decoded with {@link RawBytes}, or empty
     */
    static Optional<String[]> userArguments(List<byte[]> all, String[] args, String command) {
        int first = all.size() - args.length;
        if (first < 1) {
            return Optional.empty();
        }
        if (command != null && !command.isBlank()) {
            String main = command.strip().split(" ", 2)[0];
            if (!main.equals(new String(all.get(first - 1), StandardCharsets.UTF_8))) {
                return Optional.empty();
            }
        }
        String[] out = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            byte[] raw = all.get(first + i);
            out[i] = RawBytes.decode(raw);
            if (ascii(raw) && !out[i].equals(args[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    /**
     * @return the environment this process was started with, byte for byte, with the caller's {@code LC_ALL}
     *         put back when the launcher changed it
     */
    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        Path environ = Path.of("/proc/self/environ");
        if (Files.isReadable(environ)) {
            for (byte[] entry : entries(environ)) {
                String s = RawBytes.decode(entry);
                int eq = s.indexOf('=', 1);
                if (eq > 0) {
                    env.putIfAbsent(s.substring(0, eq), s.substring(eq + 1));
                }
            }
        } else {
            env.putAll(System.getenv());
        }
        return restoreLocale(env);
    }

    /**
     * @param env an environment the launcher may have changed
     * @return it as the caller had it
     */
    static Map<String, String> restoreLocale(Map<String, String> env) {
        Map<String, String> out = new HashMap<>(env);
        String saved = out.remove(SAVED_LC_ALL);
        if (saved == null) {
            return out;
        }
        if (saved.startsWith("=")) {
            out.put("LC_ALL", saved.substring(1));
        } else {
            out.remove("LC_ALL");
        }
        return out;
    }

    /** @return the NUL-separated entries of a {@code /proc} file; empty when it cannot be read */
    static List<byte[]> entries(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                out.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            out.add(Arrays.copyOfRange(all, start, all.length));
        }
        return out;
    }

    private static boolean ascii(byte[] raw) {
        for (byte b : raw) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
