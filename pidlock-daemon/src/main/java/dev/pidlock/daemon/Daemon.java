package dev.pidlock.daemon;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.ProcessInfo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Java program that runs as a daemon guarded by a pidfile, in the manner of Python's daemonocle.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Daemon.builder("feeder")
 *           .pidFile(Path.of("/run/feeder.pid"))
 *           .worker(Feeder::run)
 *           .shutdownCallback((message, code) -> LOG.log(INFO, "stopping: " + message + " (" + code + ")"))
 *           .build()
 *           .run(args);
 * }
 * }</pre>
 *
 * <p>The program's arguments name the action: {@code start [--foreground]}, {@code status [--json]} or one of
 * the program's own {@link Builder#action(String, String, Action) actions}.
 *
 * <p>{@code start} detaches: it launches the same program again (the {@code java} command read from
 * {@code /proc/self/cmdline}) in its own session through {@code setsid(1)} (util-linux, required), with stdin from
 * {@code /dev/null}, stdout and stderr appended to the configured files or discarded, the configured working
 * directory and umask, no descriptor of this JVM but 0, 1 and 2, and {@code PIDLOCK_DAEMON_ROLE=child} in its
 * environment (which its own children inherit: a {@code start} they run is a foreground one). It prints
 * "Starting NAME ... OK" and returns 0 once the kernel shows the child holding the lock and it still does after
 * the {@link Builder#startupWindow(Duration) start-up window}; otherwise "Starting NAME ... FAILED", the child's
 * exit status and the last lines it wrote to its stderr file, and 1. {@code start --foreground} or
 * {@link Builder#detach(boolean) detach(false)} runs the daemon in this JVM. {@code stop}, {@code restart} and
 * {@code reload} answer "not implemented yet" with exit code 1; {@link #ready()} is not waited for yet.
 *
 * @since 0.2
 */
public final class Daemon {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());
    private static volatile boolean readyReported;

    /**
     * The callback's code when the JVM ends otherwise (for example {@code System.exit} from the worker, or SIGHUP):
     * a shutdown hook cannot see the status {@code System.exit} was given.
     *
     * @since 0.2
     */
    public static final int UNKNOWN_CODE = -1;

    /**
     * The callback's message when the JVM ends otherwise ({@code System.exit}, SIGHUP).
     *
     * @since 0.2
     */
    public static final String EXIT_MESSAGE = "Exiting (System.exit or JVM shutdown)";

    private final String name;
    private final Path pidFile;
    private final String pidName;
    private final String backend;
    private final Worker worker;
    private final ShutdownCallback callback;
    private final Duration stopTimeout;
    private final boolean detach;
    private final Path workDir;
    private final int umask;
    private final Optional<Path> stdout;
    private final Optional<Path> stderr;
    private final Duration startupWindow;
    private final Map<String, Custom> actions;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile PidLock lock;
    private PrintStream out = System.out;
    private PrintStream err = System.err;

    private record Custom(String description, Action action) {
    }

    private Daemon(Builder b) {
        this.name = b.name;
        this.pidFile = b.pidFile;
        this.pidName = b.pidName;
        this.backend = b.backend;
        this.worker = b.worker;
        this.callback = b.callback;
        this.stopTimeout = b.stopTimeout;
        this.detach = b.detach;
        this.workDir = b.workDir;
        this.umask = b.umask;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.startupWindow = b.startupWindow;
        this.actions = Map.copyOf(b.actions);
    }

    /**
     * Starts a daemon's description.
     *
     * @param name the name in messages, for example {@code feeder}
     * @return a builder
     * @since 0.2
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Tells whoever started the daemon that it is ready. In the foreground there is nobody to tell; the call is
     * recorded and does nothing else.
     *
     * @since 0.2
     */
    public static void ready() {
        readyReported = true;
    }

    /**
     * @return the daemon's name
     * @since 0.2
     */
    public String name() {
        return name;
    }

    /**
     * @return how long {@code stop} waits (used by {@code stop}, not implemented yet)
     * @since 0.2
     */
    public Duration stopTimeout() {
        return stopTimeout;
    }

    /**
     * @return how long a detached child must live holding the lock before {@code start} says OK
     * @since 0.2
     */
    public Duration startupWindow() {
        return startupWindow;
    }

    /**
     * The program's own actions, for a command line that lists them (for example picocli's, through
     * {@code dev.pidlock.daemon.picocli.DaemonCommands}).
     *
     * @return each custom action's name and description, sorted by name as the help lists them; the built-in
     *         actions are not in it
     * @since 0.2
     */
    public Map<String, String> actions() {
        Map<String, String> named = new java.util.TreeMap<>();
        actions.forEach((k, v) -> named.put(k, v.description()));
        return java.util.Collections.unmodifiableMap(named);
    }

    /**
     * Runs the action {@code args} names and ends the JVM with its exit code.
     *
     * @param args the program's arguments: {@code start [--foreground] | status [--json] | <custom>}
     * @since 0.2
     */
    public void run(String[] args) {
        int code = execute(args);
        System.exit(code);
    }

    /**
     * Runs the action {@code args} names.
     *
     * @param args the program's arguments
     * @return the action's exit code
     * @since 0.2
     */
    public int execute(String[] args) {
        List<String> a = Arrays.asList(args);
        if (a.isEmpty() || a.get(0).equals("--help") || a.get(0).equals("-h") || a.get(0).equals("help")) {
            (a.isEmpty() ? err : out).print(help());
            return a.isEmpty() ? 2 : 0;
        }
        String action = a.get(0);
        List<String> rest = a.subList(1, a.size());
        switch (action) {
            case "start":
                if (rest.contains("--foreground") || !detach || Detacher.isChild()) {
                    return startForeground();
                }
                return startDetached(args);
            case "status":
                return printStatus(rest.contains("--json"));
            case "stop":
            case "restart":
            case "reload":
                return notImplemented(action);
            default:
                Custom c = actions.get(action);
                if (c == null) {
                    err.println(name + ": unknown action '" + action + "'");
                    err.print(help());
                    return 2;
                }
                try {
                    return c.action().run(this, List.copyOf(rest));
                } catch (Exception e) {
                    err.println(name + ": action " + action + " failed: " + e);
                    return 1;
                }
        }
    }

    private int notImplemented(String action) {
        err.println(name + ": " + action + ": not implemented yet");
        return 1;
    }

    /** @return the usage text, with every action and its description */
    String help() {
        StringBuilder sb = new StringBuilder("Usage: ").append(name).append(" ACTION [OPTIONS]\n\nActions:\n");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("start", "Start the daemon (--foreground: do not detach)");
        all.put("stop", "Stop the daemon (not implemented yet)");
        all.put("restart", "Stop, then start the daemon (not implemented yet)");
        all.put("status", "Show whether the daemon runs (--json: as JSON)");
        all.put("reload", "Replace the daemon with a fresh start (not implemented yet)");
        actions.keySet().stream().sorted().forEach(k -> all.put(k, actions.get(k).description()));
        all.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-10s %s%n", k, v)));
        return sb.toString();
    }

    private PidLock.Builder lockBuilder() {
        PidLock.Builder b = pidFile != null ? PidLock.at(pidFile) : PidLock.named(pidName);
        if (backend != null) {
            b.backend(backend);
        }
        return b;
    }

    private int startForeground() {
        if (worker == null) {
            err.println(name + ": no worker configured");
            return 1;
        }
        Optional<PidLock> taken = lockBuilder().tryAcquire();
        if (taken.isEmpty()) {
            DaemonStatus s = status();
            out.println(name + " is already running" + s.pid().stream().mapToObj(p -> " (pid " + p + ")")
                    .findFirst().orElse(""));
            return 0;
        }
        lock = taken.get();
        Signals.handle("TERM", n -> {
            end("Terminated by SIGTERM (" + n + ")", 0);
            System.exit(0);
        });
        Signals.handle("INT", n -> {
            end("Terminated by SIGINT (" + n + ")", 0);
            System.exit(0);
        });
        Thread hook = new Thread(() -> end(EXIT_MESSAGE, UNKNOWN_CODE), name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code;
        try {
            worker.run();
            code = 0;
            end("Shutting down normally", 0);
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.ERROR, "Dying due to unhandled " + e.getClass().getName() + ": "
                    + e.getMessage(), e);
            code = 1;
            end("Dying due to unhandled " + e.getClass().getName() + ": " + e.getMessage(), 1);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is ending already; the hook found the end done
        }
        return code;
    }

    /** How long a detached start waits for the child to take the lock (a JVM's start-up on a loaded host). */
    private static final Duration LOCK_PATIENCE = Duration.ofSeconds(60);

    private int startDetached(String[] args) {
        if (worker == null) {
            err.println(name + ": no worker configured");
            return 1;
        }
        DaemonStatus before = status();
        if (before.running()) {
            out.println(name + " is already running" + before.pid().stream().mapToObj(p -> " (pid " + p + ")")
                    .findFirst().orElse(""));
            return 0;
        }
        Process child;
        long stderrFrom = stderr.map(Detacher::size).orElse(0L);
        try {
            child = Detacher.builder(Detacher.command(args), workDir, umask, stdout, stderr).start();
        } catch (IOException e) {
            out.println("Starting " + name + " ... FAILED");
            err.println(name + ": cannot start the detached daemon: " + e.getMessage());
            return 1;
        }
        long pid = child.pid();
        try {
            long deadline = System.nanoTime() + LOCK_PATIENCE.toNanos();
            while (!holds(pid)) {
                if (!child.isAlive()) {
                    return earlyDeath(child, stderrFrom);
                }
                if (System.nanoTime() > deadline) {
                    out.println("Starting " + name + " ... FAILED");
                    err.println(name + ": the daemon (pid " + pid + ") did not take the lock on " + lockPath()
                            + " within " + LOCK_PATIENCE.toSeconds() + " s; it is left running");
                    return 1;
                }
                Thread.sleep(20);
            }
            if (child.waitFor(startupWindow.toNanos(), TimeUnit.NANOSECONDS) || !holds(pid)) {
                return earlyDeath(child, stderrFrom);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("Starting " + name + " ... FAILED");
            err.println(name + ": interrupted while waiting for the daemon (pid " + pid + ")");
            return 1;
        }
        out.println("Starting " + name + " ... OK");
        return 0;
    }

    /** @return whether the kernel shows {@code pid} holding the lock and the pidfile records it */
    private boolean holds(long pid) {
        PidFileStatus s = lockBuilder().inspect();
        return s.holders().contains(pid) && s.recordedPid().isPresent() && s.recordedPid().getAsLong() == pid;
    }

    private Object lockPath() {
        return pidFile != null ? pidFile : pidName;
    }

    private int earlyDeath(Process child, long stderrFrom) throws InterruptedException {
        if (!child.isAlive() && child.exitValue() == 0) {
            DaemonStatus other = status();
            if (other.running() && other.pid().isPresent() && other.pid().getAsLong() != child.pid()) {
                // another start won the race for the lock: the child said so on its stdout and ended
                out.println(name + " is already running (pid " + other.pid().getAsLong() + ")");
                return 0;
            }
        }
        out.println("Starting " + name + " ... FAILED");
        if (child.isAlive()) {
            err.println(name + ": the daemon (pid " + child.pid() + ") no longer holds the lock on " + lockPath());
            return 1;
        }
        int status = child.waitFor();
        err.println(name + ": the daemon (pid " + child.pid() + ") died during start-up with exit status " + status);
        if (stderr.isPresent()) {
            List<String> lines = Detacher.tail(stderr.get(), stderrFrom, Detacher.STDERR_LINES);
            if (!lines.isEmpty()) {
                err.println("Last lines of " + stderr.get() + ":");
                lines.forEach(l -> err.println("  " + l));
            }
        } else {
            err.println("(its stderr was discarded: configure stderr(path) to see it)");
        }
        return 1;
    }

    /** Calls the callback, then releases the lock (removing the pidfile): once, whoever comes first. */
    private void end(String message, int code) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            if (callback != null) {
                callback.onShutdown(message, code);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the shutdown callback failed", e);
        } finally {
            PidLock l = lock;
            if (l != null) {
                l.close();
            }
        }
    }

    /**
     * Looks at the daemon now.
     *
     * @return whether it runs, its pid, uptime, %cpu and %mem over it and its descendants
     * @since 0.2
     */
    public DaemonStatus status() {
        PidFileStatus s = lockBuilder().inspect();
        Optional<ProcessInfo> p = s.process();
        boolean running = s.state() == PidFileStatus.State.RUNNING;
        return new DaemonStatus(name, s.path(), running, running ? s.pid() : OptionalLong.empty(),
                p.flatMap(ProcessInfo::uptime),
                p.map(ProcessInfo::treeCpuPercent).orElse(OptionalDouble.empty()),
                p.map(ProcessInfo::treeMemoryPercent).orElse(OptionalDouble.empty()), s);
    }

    private int printStatus(boolean json) {
        DaemonStatus d = status();
        PidFileStatus s = d.pidFileStatus();
        out.println(json ? StatusText.json(name, s) : StatusText.line(name, s));
        return switch (s.state()) {
            case RUNNING -> 0;
            case STALE -> 1;
            case ABSENT -> 3;
            case UNKNOWN -> 4;
        };
    }

    /** Sends the daemon's messages elsewhere (tests). */
    Daemon streams(PrintStream newOut, PrintStream newErr) {
        this.out = newOut;
        this.err = newErr;
        return this;
    }

    /**
     * Describes a daemon.
     *
     * @since 0.2
     */
    public static final class Builder {
        private final String name;
        private Path pidFile;
        private String pidName;
        private String backend;
        private Worker worker;
        private ShutdownCallback callback;
        private Duration stopTimeout = Duration.ofSeconds(10);
        private boolean detach = true;
        private Path workDir = Path.of("/");
        private int umask = 0022;
        private Optional<Path> stdout = Optional.empty();
        private Optional<Path> stderr = Optional.empty();
        private Duration startupWindow = Duration.ofSeconds(1);
        private final Map<String, Custom> actions = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param path the pidfile
         * @return this builder
         * @since 0.2
         */
        public Builder pidFile(Path path) {
            this.pidFile = Objects.requireNonNull(path, "path");
            this.pidName = null;
            return this;
        }

        /**
         * @param pidName a pidfile name in the default directory, as {@link PidLock#named(String)}
         * @return this builder
         * @since 0.2
         */
        public Builder named(String pidName) {
            this.pidName = Objects.requireNonNull(pidName, "pidName");
            this.pidFile = null;
            return this;
        }

        /**
         * @param id the lock backend's id, as {@link PidLock.Builder#backend(String)}
         * @return this builder
         * @since 0.2
         */
        public Builder backend(String id) {
            this.backend = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * @param work the daemon's work
         * @return this builder
         * @since 0.2
         */
        public Builder worker(Worker work) {
            this.worker = Objects.requireNonNull(work, "work");
            return this;
        }

        /**
         * @param cb called once on every catchable end
         * @return this builder
         * @since 0.2
         */
        public Builder shutdownCallback(ShutdownCallback cb) {
            this.callback = Objects.requireNonNull(cb, "cb");
            return this;
        }

        /**
         * @param timeout how long {@code stop} waits for the lock to be free (default 10 s)
         * @return this builder
         * @since 0.2
         */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = positive(timeout, "stopTimeout");
            return this;
        }

        /**
         * @param value whether {@code start} detaches (default true; false runs it in the foreground)
         * @return this builder
         * @since 0.2
         */
        public Builder detach(boolean value) {
            this.detach = value;
            return this;
        }

        /**
         * @param dir the detached daemon's working directory (default {@code /})
         * @return this builder
         * @since 0.2
         */
        public Builder workDir(Path dir) {
            this.workDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * @param mask the detached daemon's umask (default {@code 022})
         * @return this builder
         * @since 0.2
         */
        public Builder umask(int mask) {
            if (mask < 0 || mask > 0777) {
                throw new IllegalArgumentException("umask must be between 0 and 0777: " + Integer.toOctalString(mask));
            }
            this.umask = mask;
            return this;
        }

        /**
         * @param file where the detached daemon's stdout is appended (default: discarded)
         * @return this builder
         * @since 0.2
         */
        public Builder stdout(Path file) {
            this.stdout = Optional.of(file);
            return this;
        }

        /**
         * @param file where the detached daemon's stderr is appended (default: discarded)
         * @return this builder
         * @since 0.2
         */
        public Builder stderr(Path file) {
            this.stderr = Optional.of(file);
            return this;
        }

        /**
         * Discards the detached daemon's stdout and stderr (the default).
         *
         * @return this builder
         * @since 0.2
         */
        public Builder discardOutput() {
            this.stdout = Optional.empty();
            this.stderr = Optional.empty();
            return this;
        }

        /**
         * @param window how long a detached child must live holding the lock before {@code start} says OK
         *               (default 1 s)
         * @return this builder
         * @since 0.2
         */
        public Builder startupWindow(Duration window) {
            this.startupWindow = positive(window, "startupWindow");
            return this;
        }

        /**
         * Adds a program's own action.
         *
         * @param actionName  its name, the first argument that runs it
         * @param description its line in the help
         * @param action      what it does
         * @return this builder
         * @since 0.2
         */
        public Builder action(String actionName, String description, Action action) {
            if (List.of("start", "stop", "restart", "status", "reload", "help").contains(actionName)) {
                throw new IllegalArgumentException("'" + actionName + "' is a built-in action");
            }
            actions.put(Objects.requireNonNull(actionName, "actionName"),
                    new Custom(Objects.requireNonNull(description, "description"),
                            Objects.requireNonNull(action, "action")));
            return this;
        }

        /**
         * @return the daemon
         * @throws IllegalStateException when neither {@link #pidFile(Path)} nor {@link #named(String)} was set
         * @since 0.2
         */
        public Daemon build() {
            if (pidFile == null && pidName == null) {
                pidName = name;
            }
            return new Daemon(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
