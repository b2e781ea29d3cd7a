package dev.pidlock.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real child process for multi-process tests: a JVM running {@link LockChild} (or any command), whose
 * stdout lines are queued and whose stderr is kept. Timeouts here only keep a broken test from hanging;
 * no test asserts on elapsed time.
 *
 * @since 0.1
 */
public final class ChildProcess implements AutoCloseable {

    /**
     * How long to wait for a child's line before calling the test broken.
     *
     * @since 0.1
     */
    public static final Duration PATIENCE = Duration.ofSeconds(60);

    /**
     * System property with extra JVM arguments for child JVMs, separated by spaces.
     *
     * @since 0.1
     */
    public static final String JVM_ARGS_PROPERTY = "pidlock.test.childJvmArgs";

    /** How long {@link #waitFor()} waits for the end of stderr after the child exited. */
    private static final Duration STDERR_DRAIN = Duration.ofSeconds(5);

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Writer stdin;
    private final Thread outReader;
    private final Thread errReader;

    private ChildProcess(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.outReader = pump(process.getInputStream(), true);
        this.errReader = pump(process.getErrorStream(), false);
    }

    /**
     * Starts a child JVM running {@link LockChild} with this JVM's class and module path, all on the class
     * path (so backends are found through {@code META-INF/services}).
     *
     * @param args the arguments of {@link LockChild}
     * @return the running child
     * @throws IOException when it cannot start
     * @since 0.1
     */
    public static ChildProcess lockChild(String... args) throws IOException {
        return start(null, javaCommand(LockChild.class.getName(), args));
    }

    /**
     * Starts a child JVM running {@link LockChild} under a shell that sets the umask first.
     *
     * @param umask for example {@code 077}
     * @param args  the arguments of {@link LockChild}
     * @return the running child
     * @throws IOException when it cannot start
     * @since 0.1
     */
    public static ChildProcess lockChildWithUmask(String umask, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
        cmd.addAll(javaCommand(LockChild.class.getName(), args));
        return start(null, cmd);
    }

    /**
     * Starts any command.
     *
     * @param dir     the working directory, or null for this one
     * @param command the command and its arguments
     * @return the running child
     * @throws IOException when it cannot start
     * @since 0.1
     */
    public static ChildProcess start(Path dir, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        return new ChildProcess(pb.start());
    }

    /**
     * @param mainClass the class to run
     * @param args      its arguments
     * @return a {@code java} command line with this JVM's class path and module path on the class path
     * @since 0.1
     */
    public static List<String> javaCommand(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getProperty(JVM_ARGS_PROPERTY, "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(Arrays.asList(extra.split("\\s+")));
        }
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * @return this JVM's class path and module path entries, joined as one class path
     * @since 0.1
     */
    public static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(prop);
            if (value != null && !value.isBlank()) {
                entries.addAll(Arrays.asList(value.split(java.io.File.pathSeparator)));
            }
        }
        entries.removeIf(String::isBlank);
        return String.join(java.io.File.pathSeparator, entries);
    }

    private Thread pump(InputStream in, boolean toQueue) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (toQueue) {
                        lines.add(line);
                    } else {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "child-" + process.pid() + (toQueue ? "-out" : "-err"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * @return the child's pid
     * @since 0.1
     */
    public long pid() {
        return process.pid();
    }

    /**
     * @return the underlying process
     * @since 0.1
     */
    public Process process() {
        return process;
    }

    /**
     * @return the next stdout line
     * @throws AssertionError when none comes within {@link #PATIENCE} (the child's stderr is included)
     * @since 0.1
     */
    public String nextLine() {
        try {
            String line = lines.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("child " + pid() + " said nothing within " + PATIENCE
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + "; stderr:\n" + stderr);
            }
            return line;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * @return the stdout lines not taken yet, without waiting (after {@link #waitFor()}: all of them)
     * @since 0.1
     */
    public List<String> remainingLines() {
        List<String> out = new ArrayList<>();
        lines.drainTo(out);
        return out;
    }

    /**
     * @param prefix what the next line must start with
     * @return that line
     * @throws AssertionError when the next line is another
     * @since 0.1
     */
    public String expect(String prefix) {
        String line = nextLine();
        if (!line.startsWith(prefix)) {
            throw new AssertionError("child " + pid() + " said \"" + line + "\", expected \"" + prefix + "…\"; stderr:\n"
                    + stderr);
        }
        return line;
    }

    /**
     * Sends one command line to the child's stdin.
     *
     * @param command the line
     * @since 0.1
     */
    public void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("child " + pid() + " does not read its stdin any more; stderr:\n" + stderr, e);
        }
    }

    /**
     * Closes the child's stdin: a {@link LockChild} then exits normally.
     *
     * @since 0.1
     */
    public void closeStdin() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /**
     * Kills the child with SIGKILL and waits for it to be gone.
     *
     * @since 0.1
     */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /**
     * Sends a signal by name (for example {@code TERM}) with {@code kill(1)}.
     *
     * @param signal the signal's name without {@code SIG}
     * @since 0.1
     */
    public void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + signal + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * @return the child's exit status, waiting for it to exit
     * @throws AssertionError when it does not exit within {@link #PATIENCE}
     * @since 0.1
     */
    public int waitFor() {
        try {
            if (!process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child " + pid() + " did not exit within " + PATIENCE + "; stderr:\n" + stderr);
            }
            outReader.join(PATIENCE.toMillis());
            // stderr too, so that stderr() right after holds all the child wrote; briefly, since a process the
            // child left behind may keep the pipe open
            errReader.join(STDERR_DRAIN.toMillis());
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * @return what the child wrote to stderr so far
     * @since 0.1
     */
    public String stderr() {
        return stderr.toString();
    }

    /**
     * Kills the child if it still runs.
     *
     * @since 0.1
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
