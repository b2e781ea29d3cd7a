package dev.pidlock.cli;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.PidLockException;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.spi.ReleaseAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pidlock run}: run a command holding the lock for its whole life. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run CMD holding the lock. The pidfile names CMD's own process, and CMD inherits the"
                + " locked descriptor, so it (and every process it starts that keeps the descriptor) holds the"
                + " lock. SIGTERM, SIGINT and SIGHUP are passed on to CMD. When CMD ends pidlock closes its"
                + " descriptor without unlocking: if a process CMD started still holds the lock, the pidfile"
                + " names that process and stays; otherwise it is removed.",
                "A backend whose lock cannot be inherited (posix, lockf, nio) is refused unless --supervise.",
                "Exit: CMD's status, 128+N if signal N killed it, 1 (or --conflict-exit-code) when the lock is"
                        + " held or the pidfile names a running process."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Option(names = "--backend", paramLabel = "ID", description = "Lock backend (default: auto).")
    String backend;

    @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Wait this long for the lock (500ms, 10s, 2m, or seconds).")
    Duration wait;

    @Option(names = "--conflict-exit-code", paramLabel = "N", defaultValue = "1",
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
        PidLock.Builder b = Launch.withOwner(Launch.withBackend(target.builder(), backend), owner);
        if (keepFile) {
            b.onRelease(ReleaseAction.KEEP);
        }
        LaunchChoice launch = chooseLaunch(b);
        PidLock lock;
        try {
            lock = wait == null ? b.acquire() : b.acquire(wait);
        } catch (PidLockConflictException e) {
            System.err.println("pidlock: " + Main.message(e));
            return conflictExitCode;
        }
        Spawn.Request request = new Spawn.Request(launch.argv(), RawCommandLine.environment(),
                launch.inherit() ? lock.inheritableDescriptor() : OptionalInt.empty(),
                new Spawn.Inherit(), new Spawn.Inherit(), new Spawn.Inherit(), false);
        if (noFork) {
            try {
                Spawn.exec(request);
            } finally {
                lock.close();
            }
        }
        return supervise(request, lock, launch.inherit());
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
        if (!supervise) {
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
        System.err.println("pidlock: backend " + chosen.id() + " cannot pass its lock to the command;"
                + " supervising it (it is killed if pidlock dies; processes it starts are not)");
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
    private static int supervise(Spawn.Request request, PidLock lock, boolean inherit) throws Exception {
        SignalForwarding signals = SignalForwarding.install();
        long pid;
        try {
            pid = Spawn.spawn(request);
        } catch (Exception e) {
            lock.close();
            throw e;
        }
        if (inherit) {
            lock.markHandedOn();
        }
        signals.started(pid);
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
            return status;
        } finally {
            if (reaped) {
                if (inherit) {
                    nameRemainingHolder(lock);
                }
                lock.close();
            } else if (inherit) {
                lock.handOff();
            }
        }
    }

    /** When a process the command started still holds the lock, names it in the pidfile and says so. */
    private static void nameRemainingHolder(PidLock lock) {
        OptionalLong holder = Launch.otherHolder(lock);
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
     * Passes SIGTERM, SIGINT and SIGHUP on to the command; a signal that arrives before the command is started
     * is passed on (the last of them) as soon as it is.
     */
    private static final class SignalForwarding {
        /** The command's pid, 0 until it is started. */
        private long child;
        /** The last signal that arrived before the command was started, or 0. */
        private int early;

        private SignalForwarding() {
        }

        /** @return a forwarding that catches the three signals from now on */
        static SignalForwarding install() {
            SignalForwarding f = new SignalForwarding();
            for (String name : List.of("TERM", "INT", "HUP")) {
                SignalHandling.handle(name, f::arrived);
            }
            return f;
        }

        private synchronized void arrived(int signal) {
            if (child == 0) {
                early = signal;
            } else {
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
