package dev.pidlock.cli;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.PidLockException;
import dev.pidlock.fcntl.spawn.JvmSignals;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.ReleaseAction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pidlock run}: run a command holding the lock for its whole life. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run CMD holding the lock. The pidfile names CMD's own process, and CMD inherits the"
                + " locked descriptor, so it (and every process it starts that keeps the descriptor) holds the"
                + " lock. Signals sent to pidlock reach CMD once (see README: signals). When CMD ends pidlock closes its"
                + " descriptor without unlocking: if a process CMD started still holds the lock, the pidfile"
                + " names that process and stays; otherwise it is removed.",
                "A backend whose lock cannot be inherited (posix, lockf, nio) is refused unless --supervise; a"
                        + " leased one (etcd) runs CMD supervised, and signals it when the lock is lost.",
                "Exit: CMD's status, 128+N if signal N killed it, 1 (or --conflict-exit-code) when the lock is"
                        + " held or the pidfile names a running process, 75 when a leased backend's lock was lost"
                        + " while CMD ran."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Option(names = "--backend", paramLabel = "ID", description = "Lock backend (default: auto).")
    String backend;

    @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Wait this long for the lock (500ms, 10s, 2m, or seconds).")
    Duration wait;

    /** The default of {@code --conflict-exit-code}. */
    static final String DEFAULT_CONFLICT_EXIT_CODE = "1";

    @Option(names = "--conflict-exit-code", paramLabel = "N", defaultValue = DEFAULT_CONFLICT_EXIT_CODE,
            description = "Exit status when the lock is held or the pidfile names a running process (default 1).")
    int conflictExitCode;

    @Option(names = "--owner", paramLabel = "USER[:GROUP]", description = "Give the pidfile to this user (and"
            + " group), by name or number, through the open file: for a service started as root that runs as USER"
            + " and must be able to replace its pidfile.")
    String owner;

    @Option(names = "--keep-file", description = "Leave the pidfile in place afterwards.")
    boolean keepFile;

    @Option(names = "--no-fork", description = "Replace pidlock with CMD (exec) instead of waiting for it.")
    boolean noFork;

    @Option(names = "--supervise", description = "With a backend whose lock cannot be inherited (posix, lockf,"
            + " nio): pidlock holds the lock while CMD runs, and CMD is killed (SIGKILL) if pidlock dies. Processes"
            + " CMD starts are not: they may run on without the lock.")
    boolean supervise;

    static final String DEFAULT_LOST_SIGNAL = "TERM";

    @Option(names = "--lost-signal", paramLabel = "SIG", defaultValue = DEFAULT_LOST_SIGNAL,
            description = "With a leased backend (etcd), whose lock can be lost while CMD runs (the lease could not"
                    + " be renewed: a partition, a long pause): the signal CMD then gets (default TERM); pidlock exits"
                    + " 75 once CMD has ended.")
    String lostSignal = "TERM"; // also the default of the plain form, which PlainRun parses without picocli

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            throw new Target.UsageException("missing command after --");
        }
        if (conflictExitCode < 0 || conflictExitCode > 255) {
            throw new Target.UsageException("--conflict-exit-code must be 0..255, not " + conflictExitCode);
        }
        int lost;
        try {
            lost = Spawn.signalNumber(lostSignal);
        } catch (IllegalArgumentException e) {
            throw new Target.UsageException("unknown signal '" + Printable.of(lostSignal) + "' for --lost-signal");
        }
        PidLock.Builder b = Launch.withOwner(Launch.withBackend(target.builder(), backend), owner);
        if (keepFile) {
            b.onRelease(ReleaseAction.KEEP);
        }
        // read while the backend loads on the warm-up thread (chooseLaunch waits for it): the same whenever read
        Map<String, String> environment = StartupSignals.commandEnvironment(RawCommandLine.environment());
        JvmSignals.prepare();
        LaunchChoice launch = chooseLaunch(b);
        PidLock lock;
        try {
            lock = wait == null ? b.acquire() : b.acquire(wait);
        } catch (PidLockConflictException e) {
            System.err.println("pidlock: " + Main.message(e));
            return conflictExitCode;
        }
        Spawn.Request request = new Spawn.Request(launch.argv(), environment,
                launch.inherit() ? lock.inheritableDescriptor() : OptionalInt.empty(),
                new Spawn.Inherit(), new Spawn.Inherit(), new Spawn.Inherit(), false);
        if (noFork) {
            Set<Integer> ignored = StartupSignals.ignored();
            SignalForwarding.keepIgnored(ignored);
            Main.awaitWarmUp(); // no descriptor of it may reach the command
            try {
                Spawn.exec(request, ignored);
            } finally {
                lock.close();
            }
        }
        return supervise(request, lock, launch.inherit(), lost);
    }

    /**
     * How the command gets the lock.
     *
     * @param inherit whether it inherits the locked descriptor; otherwise pidlock holds the lock and the
     *                command runs under {@code setpriv --pdeathsig KILL}
     * @param argv    what to start
     */
    private record LaunchChoice(boolean inherit, List<String> argv) {
    }

    /**
     * Chooses how the command gets the lock from what the backend can do: it inherits the locked descriptor
     * (the builder is set to open it so), or it runs under supervision, killed if pidlock dies.
     *
     * @throws Main.CommandFailure when neither is possible, or {@code --no-fork} asks for what the backend
     *                             cannot do
     */
    private LaunchChoice chooseLaunch(PidLock.Builder b) {
        dev.pidlock.BackendInfo chosen = Launch.chosen(b);
        List<String> argv = new ArrayList<>(command);
        if (Launch.inheritable(chosen)) {
            b.inheritableAcrossExec();
            return new LaunchChoice(true, argv);
        }
        if (noFork) {
            throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "--no-fork needs a backend whose lock survives"
                    + " exec (ofd, flock, ofd+flock); " + chosen.id() + " cannot pass its lock on");
        }
        boolean leased = chosen.capabilities().contains(Capability.LEASED);
        if (!supervise && !leased) {
            throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "not running the command with " + b.path()
                    + ": backend " + chosen.id() + " cannot pass its lock on, so processes the command starts"
                    + " would run without it; use ofd, flock or ofd+flock, or --supervise (pidlock holds the lock"
                    + " while the command runs and kills it if pidlock dies, but not the processes it started)");
        }
        if (!Files.isExecutable(SETPRIV)) {
            throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "backend " + chosen.id()
                    + " cannot pass its lock to the command, and " + SETPRIV + " (to kill the command if"
                    + " pidlock dies) is missing; use ofd, flock or ofd+flock");
        }
        // asked for with --supervise, whose limit its help and the README state: nothing to warn about
        argv.addAll(0, List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        return new LaunchChoice(false, argv);
    }

    /**
     * Starts the command with signals passed on to it, names it in the pidfile and waits for it. The lock is
     * released once the command was reaped: one it inherited without unlocking, so that processes it started
     * with the descriptor keep holding it (the pidfile then names the first of them, and stays); if waiting
     * fails, a command that inherited the lock keeps it.
     *
     * @return the command's status
     */
    private static int supervise(Spawn.Request request, PidLock lock, boolean inherit, int lostSignal)
            throws Exception {
        Set<Integer> ignored = StartupSignals.ignored();
        boolean ownGroup = !StartupSignals.hasControllingTerminal();
        SignalForwarding signals = SignalForwarding.install(ignored, ownGroup);
        long pid;
        try {
            pid = Spawn.spawn(request, ignored, ownGroup);
        } catch (Exception e) {
            lock.close();
            throw e;
        }
        if (inherit) {
            lock.markHandedOn();
        }
        signals.started(pid);
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        lock.onLost(() -> {
            if (lost.compareAndSet(false, true)) {
                System.err.println("pidlock: lost the lock on " + lock.path() + " (its lease expired, was revoked, or"
                        + " its key was taken away; another process may hold it now): sending SIG"
                        + Spawn.signalName(lostSignal) + " to pid " + pid);
                try {
                    Spawn.kill(pid, lostSignal); // our child, not reaped yet: its pid cannot be anyone else's
                } catch (java.io.IOException e) {
                    System.err.println("pidlock: cannot signal pid " + pid + ": " + e.getMessage());
                }
            }
        });
        boolean reaped = false;
        try {
            try {
                lock.recordPid(pid);
            } catch (PidLockException e) {
                // CMD runs and holds the lock whatever the file says: supervise it all the same
                System.err.println("pidlock: warning: could not name pid " + pid + " in the pidfile ("
                        + Main.message(e) + "); supervising it all the same");
            }
            int status = Spawn.waitFor(pid);
            reaped = true;
            return lost.get() ? ExitCodes.LOCK_LOST : status;
        } finally {
            if (reaped) {
                if (inherit) {
                    nameRemainingHolder(lock, pid);
                }
                lock.close();
            } else if (inherit) {
                lock.handOff();
            }
        }
    }

    /** When a process the command started still holds the lock, names it in the pidfile and says so. */
    private static void nameRemainingHolder(PidLock lock, long command) {
        OptionalLong holder = Launch.otherHolder(lock, command);
        if (holder.isPresent()) {
            System.err.println("pidlock: the command exited; pid " + holder.getAsLong() + " still holds the lock"
                    + " on " + lock.path());
            try {
                lock.recordPid(holder.getAsLong());
            } catch (PidLockException e) {
                System.err.println("pidlock: " + Main.message(e));
            }
        }
    }

    /**
     * Passes signals on to the command, each once (see {@link #install}); a signal that arrives before the
     * command is started is passed on (the last of them) as soon as it is.
     */
    private static final class SignalForwarding {
        /** Caught and passed on, unless ignored when pidlock started. */
        private static final List<String> FORWARDED = List.of("TERM", "INT", "HUP", "USR1", "ALRM", "WINCH", "CONT");
        /**
         * Signals a terminal and a shell's job control send to a whole process group: the keyboard's INT and
         * QUIT, WINCH, HUP on hang-up, CONT on fg and bg.
         */
        private static final Set<String> GROUP_WIDE = Set.of("INT", "QUIT", "HUP", "WINCH", "CONT");
        /** Signals the JVM acts on by itself, and which it acts on harmlessly when ignored instead. */
        private static final List<String> IGNORABLE = List.of("PIPE", "XFSZ");

        private final boolean ownGroup;
        private final Set<Integer> groupWide = new HashSet<>();
        /** The command's pid, 0 until it is started. */
        private long child;
        /** The last signal that arrived before the command was started, or 0. */
        private int early;

        private SignalForwarding(boolean ownGroup) {
            this.ownGroup = ownGroup;
            for (String name : GROUP_WIDE) {
                groupWide.add(Spawn.signalNumber(name));
            }
        }

        /**
         * Catches the signals to pass on. The rule that makes each reach the command once: without a controlling
         * terminal the command runs in a process group of its own, so a signal sent to pidlock's pid or to its
         * group reaches pidlock alone, which passes it on. With a terminal the command stays in pidlock's group,
         * so that it has the terminal and job control as any command does; the terminal and the shell signal the
         * whole group, so the command gets {@link #GROUP_WIDE} signals directly and pidlock does not pass them on,
         * while the others (TERM, USR1, USR2, ALRM) are passed on. A signal ignored when pidlock started is not
         * caught: it stays ignored, in pidlock and in the command. SIGQUIT, which the JVM does not let a program
         * catch (it prints a thread dump), is ignored by pidlock. SIGUSR2 is caught when the JVM suspends its
         * threads with another signal (the launcher sets {@code _JAVA_SR_SIGNUM}).
         *
         * @param ignored  the signals ignored when pidlock started
         * @param ownGroup whether the command runs in a process group of its own
         * @return a forwarding that catches the signals from now on
         */
        static SignalForwarding install(Set<Integer> ignored, boolean ownGroup) {
            keepIgnored(ignored);
            SignalForwarding f = new SignalForwarding(ownGroup);
            List<String> names = new ArrayList<>(FORWARDED);
            if (StartupSignals.usr2Free()) {
                names.add("USR2");
            }
            for (String name : names) {
                if (!ignored.contains(Spawn.signalNumber(name))) {
                    JvmSignals.handle(name, f::arrived);
                }
            }
            try {
                Spawn.ignore(Spawn.signalNumber("QUIT"));
            } catch (IOException | RuntimeException e) {
                // the JVM keeps its SIGQUIT thread dump: harmless to the command, only noisy
            }
            return f;
        }

        /**
         * Ignores again the signals ignored when pidlock started that the JVM handles by itself (so that they
         * stay ignored in the command: a handled signal starts at its default there).
         *
         * @param ignored the signals ignored when pidlock started
         */
        static void keepIgnored(Set<Integer> ignored) {
            List<String> names = new ArrayList<>(IGNORABLE);
            names.add("QUIT");
            for (String name : names) {
                int sig = Spawn.signalNumber(name);
                if (ignored.contains(sig)) {
                    try {
                        Spawn.ignore(sig);
                    } catch (IOException | RuntimeException e) {
                        // the command then starts with the signal at its default
                    }
                }
            }
        }

        private synchronized void arrived(int signal) {
            if (child == 0) {
                early = signal;
            } else if (ownGroup || !groupWide.contains(signal)) {
                forward(child, signal);
            }
        }

        /** @param pid the command, now started */
        synchronized void started(long pid) {
            child = pid;
            if (early != 0) {
                forward(pid, early);
            }
        }
    }

    private static void forward(long pid, int signal) {
        if (pid > 1) {
            try {
                Spawn.kill(pid, signal);
            } catch (Exception e) {
                System.err.println("pidlock: could not pass signal " + signal + " on to pid " + pid + ": "
                        + Main.message(e));
            }
        }
    }
}
