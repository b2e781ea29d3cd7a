package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the built {@code pidlock} launcher ({@code target/pidlock/bin/pidlock}, passed by the build as
 * system property {@value #PROPERTY}) in child processes, with stdout and stderr going to files so that a
 * command that outlives its launcher cannot keep a pipe open. Remembers what it started and kills it in
 * {@link #close()}. Every wait here only keeps a broken test from hanging; nothing asserts on elapsed time.
 */
final class Launcher implements AutoCloseable {

    /** The system property naming the launcher. */
    static final String PROPERTY = "pidlock.launcher";

    /** How long anything may take before the test is called broken (property pidlock.test.guardSeconds). */
    static final Duration GUARD = Duration.ofSeconds(Long.getLong("pidlock.test.guardSeconds", 60));

    private final Path executable;
    private final Path work;
    private final List<Launched> launched = new ArrayList<>();
    private final List<Procs.Guarded> strays = new ArrayList<>();
    private int count;

    /** @return the launcher, for a test that starts it in a process of its own making (a pid namespace) */
    Path executable() {
        return executable;
    }

    /** @param work a directory for the launchers' output files */
    Launcher(Path work) {
        String path = System.getProperty(PROPERTY);
        if (path == null || path.isBlank()) {
            fail("system property " + PROPERTY + " is not set: run these tests with mvn verify, which builds"
                    + " the jlink image first");
        }
        this.executable = Path.of(path);
        if (!Files.isExecutable(executable)) {
            fail(executable + " is not an executable launcher: the package phase builds it");
        }
        this.work = work;
    }

    /**
     * Starts the launcher and returns at once.
     *
     * @param args its arguments
     * @return the running launcher
     */
    Launched start(String... args) {
        return start(null, List.of(), args);
    }

    /**
     * Starts the launcher through another command, in a directory, and returns at once.
     *
     * @param cwd    its working directory, or null for this JVM's
     * @param prefix the command that runs the launcher, for example {@code setsid}; the launcher's path and
     *               arguments follow it
     * @param args   its arguments
     * @return the running launcher (or the prefix command, when that does not exec the launcher)
     */
    Launched start(Path cwd, List<String> prefix, String... args) {
        return start(cwd, prefix, java.util.Map.of(), args);
    }

    /**
     * Starts the launcher with variables added to its environment, and returns at once.
     *
     * @param env  variables to set
     * @param args its arguments
     * @return the running launcher
     */
    Launched start(java.util.Map<String, String> env, String... args) {
        return start(null, List.of(), env, args);
    }

    private Launched start(Path cwd, List<String> prefix, java.util.Map<String, String> env, String... args) {
        int n = ++count;
        Path out = work.resolve("launcher-" + n + ".out");
        Path err = work.resolve("launcher-" + n + ".err");
        List<String> command = new ArrayList<>(prefix);
        command.add(executable.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.environment().putAll(env);
        try {
            Launched l = new Launched(List.of(args), pb.start(), out, err);
            launched.add(l);
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a shell script to its end, with the launcher in {@code $PIDLOCK}: for arguments that must be exact
     * bytes (written with {@code printf} escapes) and for locale variables.
     *
     * @param env    variables to set; a null value unsets the variable
     * @param script the script
     * @return what it did
     */
    Result shell(java.util.Map<String, String> env, String script) {
        int n = ++count;
        Path out = work.resolve("shell-" + n + ".out");
        Path err = work.resolve("shell-" + n + ".err");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", script)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("PIDLOCK", executable.toString());
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        try {
            Launched l = new Launched(List.of("(sh -c) " + env + " " + script), pb.start(), out, err);
            launched.add(l);
            return l.await();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the launcher to its end.
     *
     * @param args its arguments
     * @return what it did
     */
    Result run(String... args) {
        return start(args).await();
    }

    /**
     * Kills this process (and its descendants) in {@link #close()} if it still runs then, and is still the
     * same process.
     *
     * @param pid a process a test made
     */
    void killLater(long pid) {
        Procs.guard(pid).ifPresent(strays::add);
    }

    @Override
    public void close() {
        for (Launched l : launched) {
            if (l.process.isAlive()) {
                l.process.descendants().forEach(ProcessHandle::destroyForcibly);
                l.process.destroyForcibly();
            }
        }
        for (Procs.Guarded g : strays) {
            g.killTree();
        }
    }

    /** A launcher started by {@link #start}. */
    static final class Launched {
        final List<String> args;
        final Process process;
        private final Path out;
        private final Path err;

        Launched(List<String> args, Process process, Path out, Path err) {
            this.args = args;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** @return the launcher's pid: the shell script execs java, so also the JVM's */
        long pid() {
            return process.pid();
        }

        /** @return whether it still runs */
        boolean alive() {
            return process.isAlive();
        }

        /** @return waits for its end */
        Result await() {
            try {
                if (!process.waitFor(GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    fail("pidlock " + String.join(" ", args) + " did not end within " + GUARD + "; stdout:\n"
                            + read(out) + "stderr:\n" + read(err));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return new Result(args, process.exitValue(), read(out), read(err));
        }

        /** @return what it printed so far */
        String stdout() {
            return read(out);
        }

        /** @return what it printed on stderr so far */
        String stderr() {
            return read(err);
        }

        @Override
        public String toString() {
            return "pidlock " + String.join(" ", args) + " (pid " + pid() + "); stdout:\n" + read(out) + "stderr:\n"
                    + read(err);
        }
    }

    /**
     * What one launcher run did.
     *
     * @param args   its arguments
     * @param exit   its exit status
     * @param stdout what it printed
     * @param stderr what it printed on stderr
     */
    record Result(List<String> args, int exit, String stdout, String stderr) {

        /**
         * Runs a command line of the test's making (the launcher under setpriv, say) to its end.
         *
         * @param pb the process to run
         * @return what it did
         */
        static Result of(ProcessBuilder pb) {
            try {
                Process p = pb.start();
                p.getOutputStream().close();
                CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new String(p.getErrorStream().readAllBytes());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                String out = new String(p.getInputStream().readAllBytes());
                int exit = p.waitFor();
                return new Result(pb.command(), exit, out, err.join());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /**
         * Asserts the exit status, and that no stack trace was printed (unless {@code --debug} was given).
         *
         * @param expected the status
         * @return this
         */
        Result exits(int expected) {
            assertEquals(expected, exit, () -> "exit status of " + this);
            if (!args.contains("--debug")) {
                assertNoStackTrace();
            }
            return this;
        }

        /** Asserts that neither stream shows a stack trace or an exception's class name. */
        void assertNoStackTrace() {
            for (String text : List.of(stdout, stderr)) {
                assertFalse(text.lines().anyMatch(l -> l.matches("\\s+at \\S+.*") || l.startsWith("Caused by")
                        || l.contains("Exception") || l.contains("Error:")), () -> "a stack trace or exception in "
                        + this);
            }
        }

        /** @return the lines printed on stderr */
        List<String> stderrLines() {
            return stderr.lines().toList();
        }

        /** @return the lines printed on stdout */
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        /**
         * Asserts that stderr is exactly one line, starting {@code pidlock: }, containing every fragment.
         *
         * @param fragments what it must contain
         * @return the line
         */
        String oneErrorLine(String... fragments) {
            List<String> lines = stderrLines();
            assertEquals(1, lines.size(), () -> "stderr should be one line: " + this);
            String line = lines.get(0);
            assertTrue(line.startsWith("pidlock: "), () -> "the line should start with 'pidlock: ': " + this);
            for (String f : fragments) {
                assertTrue(line.contains(f), () -> "stderr should contain \"" + f + "\": " + this);
            }
            return line;
        }

        @Override
        public String toString() {
            return "pidlock " + String.join(" ", args) + " -> exit " + exit + "\n--- stdout:\n" + stdout
                    + "--- stderr:\n" + stderr + "---";
        }
    }

    /**
     * Waits until the condition holds.
     *
     * @param what      what is awaited, for the failure message
     * @param condition the condition
     */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting (" + GUARD + ") for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * @param file a pidfile or a marker file a command wrote {@code $$} into
     * @return the pid it holds, when it exists and holds one
     */
    static OptionalLong pidIn(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.matches("\\d{1,10}") ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @param file a marker file a command writes {@code $$} into
     * @return the pid, once written
     */
    static long awaitPid(Path file) {
        await("a pid in " + file, () -> pidIn(file).isPresent());
        return pidIn(file).getAsLong();
    }

    /**
     * Waits until the pidfile names the pid.
     *
     * @param pidfile the pidfile
     * @param pid     the pid
     */
    static void awaitPidfileNames(Path pidfile, long pid) {
        await(pidfile + " naming pid " + pid + " (it holds: " + read(pidfile).trim() + ")",
                () -> pidIn(pidfile).equals(OptionalLong.of(pid)));
    }

    /**
     * @param file a file
     * @return its text, or "" when it cannot be read
     */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
