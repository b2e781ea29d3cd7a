package dev.pidlock.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Other {@code pidlock stop}, {@code restart} and {@code status} processes. Each takes a pidfile's lock for a
 * moment (stop to remove the file under it, status and stop to probe it with a backend that has no other
 * way), so the kernel shows it among the holders meanwhile: it is none of the holders a stop is asked to end.
 * Recognised from {@code /proc/PID/cmdline}: the launcher runs module {@code dev.pidlock.cli} with the
 * subcommand as the first argument ({@code --debug} aside). Such a process is waited for, never signalled
 * nor named as a holder; one that only looks like it is left alone the same way, which gives it nothing it
 * could not have by ignoring the signal.
 */
final class Peers {
    private static final String MODULE = "dev.pidlock.cli";
    private static final Set<String> BRIEF = Set.of("stop", "restart", "status");

    private Peers() {
    }

    /**
     * @param pid a process
     * @return whether it is a {@code pidlock stop}, {@code restart} or {@code status}
     */
    static boolean isPeer(long pid) {
        if (pid <= 0) {
            return false;
        }
        return isPeer(argv(pid));
    }

    /**
     * @param argv a process's command line
     * @return whether it runs module {@code dev.pidlock.cli} with subcommand stop, restart or status
     */
    static boolean isPeer(List<String> argv) {
        return subcommand(argv).filter(BRIEF::contains).isPresent();
    }

    /**
     * @param pid a process
     * @return whether it is a {@code pidlock run} wrapper, which passes the signals it gets on to its command
     */
    static boolean isRunWrapper(long pid) {
        return pid > 0 && subcommand(argv(pid)).filter("run"::equals).isPresent();
    }

    private static List<String> argv(long pid) {
        return RawCommandLine.entries(Path.of("/proc", Long.toString(pid), "cmdline")).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    /**
     * @param argv a JVM's command line
     * @return the pidlock subcommand it runs, when it runs the pidlock command's module
     */
    static Optional<String> subcommand(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String module = null;
            if ((a.equals("-m") || a.equals("--module")) && i + 1 < argv.size()) {
                module = argv.get(++i);
            } else if (a.startsWith("--module=")) {
                module = a.substring("--module=".length());
            }
            if (module == null) {
                continue;
            }
            if (!module.equals(MODULE) && !module.startsWith(MODULE + "/")) {
                return Optional.empty();
            }
            for (int j = i + 1; j < argv.size(); j++) {
                if (!argv.get(j).equals("--debug")) {
                    return Optional.of(argv.get(j));
                }
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
