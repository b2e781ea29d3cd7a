package dev.pidlock.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Relaunches the running program as a detached child.
 *
 * <p>The command is read from {@code /proc/self/cmdline}: its tail is the program's arguments, its prefix the
 * {@code java} command that started this JVM (binary, JVM options, {@code @argfiles}, class path or module path,
 * main class or module), so the child runs the same program with the same arguments. The JVM's options from
 * {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS} are in the environment the child inherits. Each argument
 * is decoded with the platform's file-name encoding ({@code sun.jnu.encoding}); bytes that are not valid in it are
 * not passed on exactly.
 *
 * <p>It is started with {@link ProcessBuilder} under {@code /bin/sh -c 'umask M && exec setsid -- ...'}:
 * {@code setsid(1)} (util-linux) makes it lead its own session, and since a child of this JVM does not lead a
 * process group {@code setsid} does not fork, so the child's pid is the {@link Process#pid()} this JVM waits for.
 * The JDK's child set-up closes every descriptor but 0, 1 and 2 before {@code exec}; stdin is {@code /dev/null},
 * stdout and stderr are appended to the configured files or go to {@code /dev/null}. The shared posix_spawn
 * binding ({@code dev.pidlock.fcntl.spawn}) is not used: it is exported to the CLI only, and the daemon module
 * would then need JNA and the fcntl backend on every user's module path.
 */
final class Detacher {
    /** Set in the child's environment; a {@code start} that sees it runs in the foreground. */
    static final String ROLE_VARIABLE = "PIDLOCK_DAEMON_ROLE";
    static final String CHILD_ROLE = "child";
    /** Set in the child's environment when start waits for {@code Daemon.ready()}: the file that call creates. */
    static final String READY_VARIABLE = "PIDLOCK_DAEMON_READY";

    /**
     * Set in the child's environment: the directory {@code start} ran in, against which the child resolves a
     * relative pidfile (it runs in its own working directory).
     */
    static final String DIR_VARIABLE = "PIDLOCK_DAEMON_DIR";

    /** The last lines of the child's stderr file shown on an early death. */
    static final int STDERR_LINES = 20;

    private Detacher() {
    }

    /**
     * @param file a path as the program names it
     * @return the path itself, or, when it is relative and this JVM is a detached child, the path resolved against
     *         the directory its {@code start} ran in
     */
    static Path asStartSaw(Path file) {
        String dir = System.getenv(DIR_VARIABLE);
        if (file.isAbsolute() || !isChild() || dir == null || dir.isEmpty()) {
            return file;
        }
        return Path.of(dir).resolve(file);
    }

    /** @return whether this JVM is the detached child of a {@code start} */
    static boolean isChild() {
        return CHILD_ROLE.equals(System.getenv(ROLE_VARIABLE));
    }

    /**
     * @param args the program's arguments, as given to {@code run}
     * @return the command that started this JVM, with {@code args} at its end
     * @throws IOException when /proc/self/cmdline cannot be read or does not end with {@code args}
     */
    static List<String> command(String[] args) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        Charset cs = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        List<String> argv = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                argv.add(new String(raw, from, i - from, cs));
                from = i + 1;
            }
        }
        if (from < raw.length) {
            argv.add(new String(raw, from, raw.length - from, cs));
        }
        int prefix = argv.size() - args.length;
        if (prefix < 1 || !argv.subList(prefix, argv.size()).equals(Arrays.asList(args))) {
            throw new IOException("/proc/self/cmdline does not end with the program's arguments " + Arrays.toString(args)
                    + ": " + argv);
        }
        return argv;
    }

    /**
     * @param args  the program's arguments, as given to {@code run}
     * @param start the arguments to run instead
     * @return the command that started this JVM, with {@code start} in place of {@code args}
     * @throws IOException when /proc/self/cmdline cannot be read or does not end with {@code args}
     */
    static List<String> command(String[] args, List<String> start) throws IOException {
        List<String> argv = new ArrayList<>(command(args));
        List<String> out = new ArrayList<>(argv.subList(0, argv.size() - args.length));
        out.addAll(start);
        return out;
    }

    /**
     * @return a builder for the detached child, not started
     */
    static ProcessBuilder builder(List<String> command, Path workDir, int umask, Optional<Path> stdout,
                                  Optional<Path> stderr, Optional<Path> readyFile) {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask \"$0\" && exec setsid -- \"$@\"",
                String.format(Locale.ROOT, "%03o", umask)));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.directory(workDir.toFile());
        pb.redirectInput(new File("/dev/null"));
        pb.redirectOutput(stdout.map(p -> ProcessBuilder.Redirect.appendTo(p.toFile()))
                .orElse(ProcessBuilder.Redirect.DISCARD));
        pb.redirectError(stderr.map(p -> ProcessBuilder.Redirect.appendTo(p.toFile()))
                .orElse(ProcessBuilder.Redirect.DISCARD));
        pb.environment().put(ROLE_VARIABLE, CHILD_ROLE);
        pb.environment().put(DIR_VARIABLE, Path.of("").toAbsolutePath().toString());
        pb.environment().remove(Reexec.LOCK_FD_VARIABLE);
        readyFile.ifPresentOrElse(f -> pb.environment().put(READY_VARIABLE, f.toString()),
                () -> pb.environment().remove(READY_VARIABLE));
        return pb;
    }

    /** @return the size of {@code file} now, 0 when it does not exist */
    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the last {@code n} lines written to {@code file} after its first {@code from} bytes */
    static List<String> tail(Path file, long from, int n) {
        try {
            byte[] all = Files.readAllBytes(file);
            int start = (int) Math.min(from, all.length);
            String text = new String(all, start, all.length - start, Charset.defaultCharset());
            List<String> lines = text.lines().toList();
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
