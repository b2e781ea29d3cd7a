package dev.pidlock.daemon;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Processes that hold a daemon's lock only for a moment and must never be signalled by its {@code stop}: the same
 * program running {@code stop}, {@code restart}, {@code status} or {@code reload} (the {@code java} command of
 * this JVM followed by that action), and the {@code pidlock} command's {@code stop}, {@code restart} and
 * {@code status}. Each takes the lock for a moment to remove a stale pidfile under it. Recognised from
 * {@code /proc/PID/cmdline}; a process that only looks like one is left alone all the same, which gives it
 * nothing it could not have by ignoring the signal.
 */
final class DaemonPeers {
    private static final Set<String> BRIEF = Set.of("stop", "restart", "status", "reload");
    private static final String CLI_MODULE = "dev.pidlock.cli";

    private final List<String> prefix;

    /** @param prefix this JVM's command line without the program's arguments (empty when unknown) */
    DaemonPeers(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    boolean isPeer(long pid) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return false;
        }
        List<String> argv = argv(pid);
        if (!prefix.isEmpty() && argv.size() > prefix.size() && argv.subList(0, prefix.size()).equals(prefix)
                && BRIEF.contains(argv.get(prefix.size()))) {
            return true;
        }
        for (int i = 0; i + 1 < argv.size(); i++) {
            String a = argv.get(i);
            String module = a.equals("-m") || a.equals("--module") ? argv.get(i + 1)
                    : a.startsWith("--module=") ? a.substring("--module=".length()) : null;
            if (module != null) {
                int at = i + (a.startsWith("--module=") ? 1 : 2);
                while (at < argv.size() && argv.get(at).equals("--debug")) {
                    at++;
                }
                return (module.equals(CLI_MODULE) || module.startsWith(CLI_MODULE + "/")) && at < argv.size()
                        && Set.of("stop", "restart", "status").contains(argv.get(at));
            }
        }
        return false;
    }

    private static List<String> argv(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            Charset cs = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
            List<String> out = new ArrayList<>();
            int from = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, from, i - from, cs));
                    from = i + 1;
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
