package dev.pidlock.daemon;

import dev.pidlock.BackendUnavailableException;
import dev.pidlock.NoBackendException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.ProcessInfo;

import dev.pidlock.fcntl.spawn.HolderStop;
import dev.pidlock.fcntl.spawn.JvmSignals;
import dev.pidlock.fcntl.spawn.Pidfd;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.LockHolders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
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
import java.util.Set;
import java.util.OptionalDouble;
import java.util.OptionalInt;
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
 * <p>The program's arguments name the action: {@code start [--foreground]}, {@code stop [--force]},
 * {@code restart [--force] [--foreground]}, {@code status [--json]}, {@code reload} or one of the program's own
 * {@link Builder#action(String, String, Action) actions}.
 *
 * <p>{@code start} detaches: it launches the same program again (the {@code java} command read from
 * {@code /proc/self/cmdline}) in its own session through {@code setsid(1)} (util-linux, required), with stdin from
 * {@code /dev/null}, stdout and stderr appended to the configured files or discarded, the configured working
 * directory and umask, no descriptor of this JVM but 0, 1 and 2, and {@code PIDLOCK_DAEMON_ROLE=child} in its
 * environment (which its own children inherit: a {@code start} they run is a foreground one). It prints
 * "Starting NAME ... OK" and returns 0 once the kernel shows the child holding the lock and it still does after
 * the {@link Builder#startupWindow(Duration) start-up window}; otherwise "Starting NAME ... FAILED", the child's
 * exit status and the last lines it wrote to its stderr file, and 1. {@code start --foreground} or
 * {@link Builder#detach(boolean) detach(false)} runs the daemon in this JVM. With {@link
 * Builder#awaitReady(Duration)}, {@code start} waits for the worker's {@link #ready()} instead of the window.
 *
 * <p>{@code stop} signals the kernel's holders of the lock with SIGTERM through process descriptors, each checked
 * with its descriptor open, as {@code pidlock stop} does, and waits up to the {@link Builder#stopTimeout(Duration)
 * stop timeout} for the lock to be free: "Stopping NAME ... OK", or "... FAILED" and 1, the daemon left running;
 * {@code --force} then sends SIGKILL, verified the same way. {@code restart} stops (a daemon that was not running
 * gets a warning), then starts. {@code reload} sends the {@link Builder#reloadSignal(String) reload signal}
 * through a verified descriptor; the daemon, like one whose worker calls {@link #reload()}, replaces itself with a
 * fresh start of the program that keeps its pid and its lock. Exit codes follow LSB: {@code status} 0 running, 1
 * dead with a stale pidfile, 3 not running, 4 unknown; {@code reload} of a daemon that is not running 7; a usage
 * error 2.
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
    private final int sigtermCode;
    private final String reloadSignal;
    private final Optional<Duration> readyTimeout;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Orders a reload against SIGTERM and SIGINT. */
    private final Object endLock = new Object();
    private boolean terminating;
    private int terminationCode;
    private boolean reloading;
    private volatile PidLock lock;
    /** The lock taken over from the JVM this one replaced by a reload. */
    private volatile Reexec.Adopted adopted;
    /** The program's arguments, as given to {@link #execute}: a reload starts the program again with them. */
    private volatile String[] args = new String[0];
    /** Whether {@code start --foreground} was asked for: a reload starts the program the same way. */
    private volatile boolean foregroundFlag;
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
        this.sigtermCode = b.sigtermCode;
        this.reloadSignal = b.reloadSignal;
        this.readyTimeout = b.readyTimeout;
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
     * Tells the {@code start} that launched this detached daemon that it is ready: with {@link
     * Builder#awaitReady(Duration)}, {@code start} says OK only then. In the foreground, or when {@code start} does
     * not wait for it, there is nobody to tell and the call does nothing. Later calls do nothing either.
     *
     * @since 0.2
     */
    public static void ready() {
        if (readyReported) {
            return;
        }
        readyReported = true;
        String file = System.getenv(Detacher.READY_VARIABLE);
        if (file != null && Detacher.isChild()) {
            try {
                Files.createFile(Path.of(file));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot tell start that the daemon is ready: " + e);
            }
        }
    }

    /**
     * @return the daemon's name
     * @since 0.2
     */
    public String name() {
        return name;
    }

    /**
     * @return how long {@code stop} waits for the lock to be free, and {@code reload} for the fresh start
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
        this.args = args.clone();
        List<String> a = Arrays.asList(args);
        if (a.isEmpty() || a.get(0).equals("--help") || a.get(0).equals("-h") || a.get(0).equals("help")) {
            (a.isEmpty() ? err : out).print(help());
            return a.isEmpty() ? 2 : 0;
        }
        String action = a.get(0);
        List<String> rest = a.subList(1, a.size());
        switch (action) {
            case "start":
                return start(rest);
            case "status":
                return printStatus(rest.contains("--json"));
            case "reload":
                return reloadFromOutside();
            case "stop":
                return options(action, rest, Set.of("--force"))
                        ? stopDaemon(rest.contains("--force")).code() : 2;
            case "restart":
                if (!options(action, rest, Set.of("--force", "--foreground"))) {
                    return 2;
                }
                Stopped stopped = stopDaemon(rest.contains("--force"));
                if (stopped.code() != 0) {
                    return stopped.code();
                }
                return start(rest.contains("--foreground") ? List.of("--foreground") : List.of());
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

    /** LSB's exit code of an action on a daemon that is not running. */
    private static final int NOT_RUNNING = 7;

    /**
     * The {@code reload} action: sends the reload signal to the daemon, the process the pidfile names once the
     * kernel confirms it holds the lock (checked again with its pidfd open, and signalled through it), and waits
     * up to the stop timeout for the fresh start to take the lock over.
     */
    private int reloadFromOutside() {
        PidFileStatus s = inspect();
        if (s.state() != PidFileStatus.State.RUNNING || s.lock() != PidFileStatus.LockState.LOCKED) {
            err.println(name + " is not running: nothing to reload (" + s.detail() + ")");
            return NOT_RUNNING;
        }
        OptionalLong recorded = s.recordedPid();
        Optional<long[]> id = Reexec.identity(s.path());
        if (recorded.isEmpty() || id.isEmpty() || !s.holders().contains(recorded.getAsLong())) {
            err.println(name + ": the pidfile " + s.path() + " does not name a holder of its lock (" + s.detail()
                    + "); not signalling anything");
            return 1;
        }
        long pid = recorded.getAsLong();
        long device = id.get()[0];
        long inode = id.get()[1];
        int signal;
        try {
            signal = Spawn.signalNumber(reloadSignal);
        } catch (IllegalArgumentException e) {
            err.println(name + ": unknown reload signal '" + reloadSignal + "'");
            return 2;
        }
        Optional<FileTime> before = modified(s.path());
        out.print("Reloading " + name + " ...");
        out.flush();
        try {
            Optional<Pidfd> opened = Pidfd.open(pid);
            if (opened.isEmpty()) {
                out.println(" FAILED");
                err.println(name + ": pid " + pid + " is gone: not running");
                return NOT_RUNNING;
            }
            try (Pidfd pidfd = opened.get()) {
                // checked with the pidfd open: a signal that reaches the process reaches the one checked
                if (!LockHolders.holds(pid, device, inode, s.path()) || !pidfd.signal(signal)) {
                    out.println(" FAILED");
                    err.println(name + ": pid " + pid + " no longer holds the lock on " + s.path()
                            + "; not signalled");
                    return 1;
                }
            }
            long deadline = System.nanoTime() + stopTimeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                Optional<FileTime> now = modified(s.path());
                if (now.isPresent() && !now.equals(before) && LockHolders.holds(pid, device, inode, s.path())) {
                    out.println(" OK");
                    return 0;
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            out.println(" FAILED");
            err.println(name + ": cannot signal pid " + pid + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println(" FAILED");
            return 1;
        }
        out.println(" FAILED");
        err.println(name + ": pid " + pid + " got SIG" + reloadSignal + " but no fresh start took the lock over"
                + " within " + stopTimeout.toMillis() + " ms");
        return 1;
    }

    private static Optional<FileTime> modified(Path file) {
        try {
            return Optional.of(Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .lastModifiedTime());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return whether every argument is one of the action's options; else says which is not */
    private boolean options(String action, List<String> rest, Set<String> known) {
        for (String r : rest) {
            if (!known.contains(r)) {
                err.println(name + ": " + action + ": unknown option '" + r + "' (" + String.join(", ", known) + ")");
                return false;
            }
        }
        return true;
    }

    private int start(List<String> rest) {
        if (!options("start", rest, Set.of("--foreground"))) {
            return 2;
        }
        if (rest.contains("--foreground") || !detach || Detacher.isChild()) {
            foregroundFlag = rest.contains("--foreground");
            return startForeground();
        }
        return startDetached(args);
    }

    /** What {@link #stopDaemon} found, and the action's exit code. */
    private record Stopped(HolderStop.Outcome outcome, int code) {
    }

    /**
     * Stops the running daemon through the verified path of {@code pidlock stop}: the kernel's holders of the
     * lock (never the pid the file merely names) get SIGTERM through a pidfd checked with it open; it waits up to
     * the stop timeout for the lock to be free; with {@code --force}, the holders left then get SIGKILL, verified
     * the same way. It never sends SIGKILL on its own.
     */
    private Stopped stopDaemon(boolean force) {
        PidLock.Builder b = lockBuilder();
        PidFileStatus s = inspect();
        DaemonPeers peers = peers();
        try {
            switch (s.state()) {
                case ABSENT -> {
                    err.println("WARNING: " + name + " is not running");
                    return new Stopped(HolderStop.Outcome.NOT_RUNNING, 0);
                }
                case STALE -> {
                    Optional<String> stays = HolderStop.removeIfFree(b, peers::isPeer);
                    err.println("WARNING: " + name + " is not running (" + (stays.isEmpty()
                            ? "removed its stale pidfile: " : "its stale pidfile stays: ") + s.detail() + ")");
                    stays.ifPresent(why -> err.println(name + ": " + why));
                    return new Stopped(HolderStop.Outcome.NOT_RUNNING, 0);
                }
                case UNKNOWN -> {
                    err.println(name + ": cannot tell whether it runs: " + s.detail());
                    return new Stopped(HolderStop.Outcome.STILL_RUNNING, 4);
                }
                default -> { }
            }
            if (s.lock() != PidFileStatus.LockState.LOCKED) {
                err.println(name + ": the pidfile " + s.path() + " is not locked, so nothing proves that the process"
                        + " it names is " + name + " (" + s.detail() + "); not signalling it");
                return new Stopped(HolderStop.Outcome.STILL_RUNNING, HolderStop.StopFailure.REFUSED);
            }
            long fileOwner;
            try {
                fileOwner = ((Number) Files.getAttribute(s.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS))
                        .longValue();
            } catch (java.nio.file.NoSuchFileException gone) {
                err.println("WARNING: " + name + " is not running");
                return new Stopped(HolderStop.Outcome.NOT_RUNNING, 0);
            }
            HolderStop.Outcome o = HolderStop.stop(s.path(), fileOwner, name, stopTimeout, force,
                    Spawn.signalNumber("TERM"), peers::isPeer, pid -> false,
                    () -> lockBuilder().inspect().lock() == PidFileStatus.LockState.LOCKED, out, false);
            if (o == HolderStop.Outcome.STOPPED) {
                // a daemon that ended removed its pidfile; one killed (--force) left it, its lock free
                HolderStop.removeIfFree(lockBuilder().respectLiveUnlockedHolder(false), peers::isPeer)
                        .ifPresent(why -> err.println(name + ": " + why));
            }
            return new Stopped(o, o == HolderStop.Outcome.STILL_RUNNING ? 1 : 0);
        } catch (HolderStop.StopFailure e) {
            err.println(name + ": " + e.getMessage());
            return new Stopped(HolderStop.Outcome.STILL_RUNNING, e.exitCode());
        } catch (IOException e) {
            err.println(name + ": cannot stop it: " + e.getMessage());
            return new Stopped(HolderStop.Outcome.STILL_RUNNING, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(name + ": interrupted while stopping it");
            return new Stopped(HolderStop.Outcome.STILL_RUNNING, 1);
        }
    }

    /** @return the recogniser of this program's and pidlock's brief holders of the lock */
    private DaemonPeers peers() {
        try {
            List<String> argv = Detacher.command(args);
            return new DaemonPeers(argv.subList(0, argv.size() - args.length));
        } catch (IOException e) {
            return new DaemonPeers(List.of());
        }
    }

    /** @return the usage text, with every action and its description */
    String help() {
        StringBuilder sb = new StringBuilder("Usage: ").append(name).append(" ACTION [OPTIONS]\n\nActions:\n");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("start", "Start the daemon (--foreground: do not detach)");
        all.put("stop", "Stop the daemon: SIGTERM, then wait for its lock to be free (--force: SIGKILL after)");
        all.put("restart", "Stop the daemon if it runs, then start it");
        all.put("status", "Show whether the daemon runs (--json: as JSON)");
        all.put("reload", "Replace the daemon with a fresh start, keeping its pid and lock");
        actions.keySet().stream().sorted().forEach(k -> all.put(k, actions.get(k).description()));
        all.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-10s %s%n", k, v)));
        return sb.toString();
    }

    private PidLock.Builder lockBuilder() {
        PidLock.Builder b = pidFile != null ? PidLock.at(Detacher.asStartSaw(pidFile)) : PidLock.named(pidName);
        if (backend != null) {
            b.backend(backend);
        }
        // a running daemon always holds its pidfile's lock: an unlocked one is a dead daemon's, whatever it names
        return b.respectLiveUnlockedHolder(false);
    }

    /**
     * The pidfile's status as the daemon sees it: a pidfile that is not locked names no running daemon, even when
     * the pid in it is alive (reused, of another pid namespace, written by hand), so it is stale.
     */
    private PidFileStatus inspect() {
        PidFileStatus s = lockBuilder().inspect();
        if (s.state() == PidFileStatus.State.RUNNING && s.lock() == PidFileStatus.LockState.UNLOCKED) {
            return new PidFileStatus(s.path(), PidFileStatus.State.STALE, s.pid(), s.lock(), Optional.empty(),
                    "not locked, so pid " + s.pid().orElse(-1) + " is not " + name + ": " + s.detail(),
                    s.holders(), s.recordedPid());
        }
        return s;
    }

    private int startForeground() {
        if (worker == null) {
            err.println(name + ": no worker configured");
            return 1;
        }
        Optional<Reexec.Adopted> inherited = Reexec.adopt(lockBuilder().path());
        if (inherited.isPresent()) {
            adopted = inherited.get(); // a reload: the JVM this one replaced held the lock and passed it on
        } else {
            Optional<PidLock> taken;
            try {
                taken = acquire();
            } catch (PidLockException e) {
                err.println(name + ": cannot start: " + e.getMessage());
                return 1;
            }
            if (taken.isEmpty()) {
                DaemonStatus s = status();
                out.println(name + " is already running" + s.pid().stream().mapToObj(p -> " (pid " + p + ")")
                        .findFirst().orElse(""));
                return 0;
            }
            lock = taken.get();
            // inheritable only across the reload's own exec (which passes it on explicitly): a child the worker
            // starts by other means than ProcessBuilder (native code) must not hold the daemon's lock
            OptionalInt fd = lock.inheritableDescriptor();
            if (fd.isPresent()) {
                try {
                    Spawn.setCloseOnExec(fd.getAsInt());
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, name + ": cannot make the lock's descriptor close-on-exec: "
                            + e.getMessage());
                }
            }
        }
        boolean caught = JvmSignals.tryHandle("TERM", n -> terminate("Terminated by SIGTERM (" + n + ")", sigtermCode), () -> { });
        caught &= catchReloadSignal();
        if (adopted != null) {
            adopted.announce();
        }
        caught &= JvmSignals.tryHandle("INT", n -> terminate("Terminated by SIGINT (" + n + ")", 0), () -> { });
        if (!caught) {
            LOG.log(System.Logger.Level.WARNING, name + ": cannot catch SIGTERM, SIGINT and SIG" + reloadSignal
                    + " (sun.misc.Signal, module jdk.unsupported, refused the handlers): they end the JVM without"
                    + " the shutdown callback's message, and reload does not work");
        }
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
        if (ProcessHandle.current().pid() == 1) {
            out.println("Starting " + name + " ... FAILED");
            err.println(name + ": this JVM is pid 1 of its pid namespace (a container's init): the kernel kills the"
                    + " detached daemon as soon as it exits; use start --foreground");
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
        Path readyDir = null;
        try {
            Optional<Path> readyFile = Optional.empty();
            if (readyTimeout.isPresent()) {
                readyDir = Files.createTempDirectory("pidlock-daemon-"); // 0700: only this user can signal
                readyFile = Optional.of(readyDir.resolve("ready"));
            }
            child = Detacher.builder(Detacher.command(args, List.of("start")), workDir, umask, stdout, stderr, readyFile).start();
            return awaitStart(child, stderrFrom, readyFile);
        } catch (IOException e) {
            out.println("Starting " + name + " ... FAILED");
            err.println(name + ": cannot start the detached daemon: " + e.getMessage());
            return 1;
        } finally {
            if (readyDir != null) {
                try {
                    Files.deleteIfExists(readyDir.resolve("ready"));
                    Files.deleteIfExists(readyDir);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "cannot remove " + readyDir + ": " + e);
                }
            }
        }
    }

    /** Waits for the detached child to hold the lock, then for the start-up window or its ready call. */
    private int awaitStart(Process child, long stderrFrom, Optional<Path> readyFile) {
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
            if (readyFile.isPresent()) {
                long readyDeadline = System.nanoTime() + readyTimeout.orElseThrow().toNanos();
                while (!Files.exists(readyFile.get())) {
                    if (child.waitFor(10, TimeUnit.MILLISECONDS) || !holds(pid)) {
                        return earlyDeath(child, stderrFrom);
                    }
                    if (System.nanoTime() - readyDeadline > 0) {
                        out.println("Starting " + name + " ... FAILED");
                        err.println(name + ": the daemon (pid " + pid + ") did not report ready within "
                                + readyTimeout.orElseThrow().toMillis() + " ms; it is left running");
                        return 1;
                    }
                }
            } else if (child.waitFor(startupWindow.toNanos(), TimeUnit.NANOSECONDS) || !holds(pid)) {
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
        PidFileStatus s = inspect();
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
            callback(message, code);
        } finally {
            releaseLock();
        }
    }

    /** Releases the lock: removes the pidfile under it, then drops it. */
    private void releaseLock() {
        Reexec.Adopted a = adopted;
        PidLock l = lock;
        if (a != null) {
            a.release();
        } else if (l != null) {
            l.close();
        }
    }

    /**
     * Ends the daemon on SIGTERM or SIGINT. During a reload the reload's thread ends it instead, before its exec
     * (the callback was called for the reload: it is not called again); once the exec is under way, the signal
     * is lost with this JVM.
     */
    private void terminate(String message, int code) {
        synchronized (endLock) {
            terminating = true;
            terminationCode = code;
            if (reloading) {
                return;
            }
        }
        end(message, code);
        System.exit(code);
    }

    private void callback(String message, int code) {
        try {
            if (callback != null) {
                callback.onShutdown(message, code);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "the shutdown callback failed", e);
        }
    }

    /**
     * The lock, with its descriptor inheritable across {@code exec} when the backend allows it (a reload passes it
     * to the fresh start); a backend that cannot is used as it is, and reload is then refused.
     */
    private Optional<PidLock> acquire() {
        try {
            return lockBuilder().inheritableAcrossExec().tryAcquire();
        } catch (BackendUnavailableException | NoBackendException e) {
            return lockBuilder().tryAcquire();
        }
    }

    /**
     * Replaces the running daemon with a fresh start of the same program: this JVM calls the shutdown callback
     * ("Reloading (requested by the program)", 0), then {@code exec}s the command line that started it. The new
     * JVM keeps the pid and the lock (its descriptor is passed across the exec and never released), so there is
     * no moment when another instance could take the lock or {@code status} could find the daemon not running,
     * and no moment when two run. Shutdown hooks do not run (no JVM shutdown happens); streams are flushed.
     * Returns only when the reload could not happen, after logging why: the daemon then goes on.
     *
     * @throws IllegalStateException when this JVM is not running the daemon
     * @since 0.2
     */
    public void reload() {
        if (lock == null && adopted == null) {
            throw new IllegalStateException(name + " is not running in this JVM");
        }
        reloadNow("Reloading (requested by the program)");
    }

    /**
     * Installs the reload signal's handler. The signal may be ignored here: a reload keeps it ignored across its
     * exec (a second signal during the fresh JVM's start-up would otherwise end it, lock and all, without the
     * callback), and {@code nohup} ignores SIGHUP; the JVM installs no handler on an ignored SIGHUP, so it gets
     * its default action back first.
     */
    private boolean catchReloadSignal() {
        return JvmSignals.tryHandle(reloadSignal, n -> reloadNow("Reloading on SIG" + reloadSignal + " (" + n + ")"),
                () -> {
                    try {
                        Spawn.unignore(Spawn.signalNumber(reloadSignal));
                    } catch (IOException | RuntimeException | LinkageError e) {
                        LOG.log(System.Logger.Level.WARNING, name + ": cannot tell whether SIG" + reloadSignal
                                + " is ignored: " + e.getMessage());
                    }
                });
    }

    private void reloadNow(String message) {
        Reexec.Adopted a = adopted;
        PidLock l = lock;
        OptionalInt fd = a != null ? OptionalInt.of(a.fd()) : l != null ? l.inheritableDescriptor() : OptionalInt.empty();
        if (fd.isEmpty()) {
            LOG.log(System.Logger.Level.ERROR, name + ": cannot reload: the lock's backend"
                    + (l != null ? " (" + l.backend() + ")" : "") + " cannot pass its descriptor across exec; the"
                    + " daemon goes on");
            return;
        }
        synchronized (endLock) {
            if (terminating || !ended.compareAndSet(false, true)) {
                return; // ending already
            }
            reloading = true;
        }
        List<String> command;
        try {
            command = Detacher.command(args, foregroundFlag ? List.of("start", "--foreground") : List.of("start"));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, name + ": reload failed: " + e.getMessage() + "; the daemon goes on");
            reloadAbandoned();
            return;
        }
        callback(message, 0);
        endIfTerminating(); // a SIGTERM or SIGINT during the callback: no fresh start
        int signal = -1;
        try {
            signal = Spawn.signalNumber(reloadSignal);
            // ignored from here to the fresh JVM's handler (kept across the exec): a second reload signal in
            // between would otherwise end the JVM starting up, and with it the daemon
            Spawn.ignore(signal);
            Reexec.exec(command, fd.getAsInt(), signal);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, name + ": reload failed: " + e.getMessage() + "; the daemon goes on");
        }
        if (signal > 0) {
            catchReloadSignal();
        }
        reloadAbandoned();
    }

    /** Ends the daemon when a SIGTERM or SIGINT came during the reload: releases the lock and exits. */
    private void endIfTerminating() {
        int code;
        synchronized (endLock) {
            if (!terminating) {
                return;
            }
            code = terminationCode;
        }
        releaseLock();
        System.exit(code);
    }

    /** The reload did not happen: the daemon goes on, unless a signal asked it to end meanwhile. */
    private void reloadAbandoned() {
        synchronized (endLock) {
            reloading = false;
            if (!terminating) {
                ended.set(false);
                return;
            }
        }
        endIfTerminating();
    }

    /**
     * Looks at the daemon now.
     *
     * @return whether it runs, its pid, uptime, %cpu and %mem over it and its descendants
     * @since 0.2
     */
    public DaemonStatus status() {
        PidFileStatus s = inspect();
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
        private int sigtermCode;
        private String reloadSignal = "HUP";
        private Optional<Duration> readyTimeout = Optional.empty();

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
         * @param timeout how long {@code stop} waits for the lock to be free, and {@code reload} for the fresh start
         *                to take it over (default 10 s)
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
         * @param code the shutdown callback's code and the JVM's exit status when SIGTERM ends the daemon
         *             (default 0)
         * @return this builder
         * @since 0.2
         */
        public Builder sigtermCode(int code) {
            if (code < 0 || code > 255) {
                throw new IllegalArgumentException("sigtermCode must be an exit status, 0 to 255: " + code);
            }
            this.sigtermCode = code;
            return this;
        }

        /**
         * @param signal the signal that makes the running daemon reload, without {@code SIG} (default {@code HUP})
         * @return this builder
         * @since 0.2
         */
        public Builder reloadSignal(String signal) {
            String s = Objects.requireNonNull(signal, "signal");
            this.reloadSignal = s.startsWith("SIG") ? s.substring(3) : s;
            return this;
        }

        /**
         * Makes a detached {@code start} wait until the worker calls {@link Daemon#ready()} (instead of the
         * start-up window), for programs with a slow start.
         *
         * @param timeout how long {@code start} waits for it; after that it says FAILED and leaves the daemon
         *                running
         * @return this builder
         * @since 0.2
         */
        public Builder awaitReady(Duration timeout) {
            this.readyTimeout = Optional.of(positive(timeout, "awaitReady"));
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
