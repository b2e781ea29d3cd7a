package dev.pidlock.cli;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.spi.ReleaseAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pidlock run}: run a command holding the lock for its whole life. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run CMD holding the lock. The pidfile names CMD's own process, and CMD inherits the"
                + " locked descriptor, so it holds the lock for its whole life. SIGTERM, SIGINT and SIGHUP are"
                + " passed on to CMD; afterwards the pidfile is removed.",
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

    @Option(names = "--keep-file", description = "Leave the pidfile in place afterwards.")
    boolean keepFile;

    @Option(names = "--no-fork", description = "Replace pidlock with CMD (exec) instead of waiting for it.")
    boolean noFork;

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
        PidLock.Builder b = Launch.withBackend(target.builder(), backend);
        if (keepFile) {
            b.onRelease(ReleaseAction.KEEP);
        }
        dev.pidlock.BackendInfo chosen = Launch.chosen(b);
        boolean inherit = Launch.inheritable(chosen);
        List<String> argv = new ArrayList<>(command);
        if (inherit) {
            b.inheritableAcrossExec();
        } else if (noFork) {
            throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "--no-fork needs a backend whose lock survives"
                    + " exec (ofd, flock, ofd+flock); " + chosen.id() + " cannot pass its lock on");
        } else {
            if (!Files.isExecutable(SETPRIV)) {
                throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "backend " + chosen.id()
                        + " cannot pass its lock to the command, and " + SETPRIV + " (to kill the command if"
                        + " pidlock dies) is missing; use ofd, flock or ofd+flock");
            }
            System.err.println("pidlock: backend " + chosen.id() + " cannot pass its lock to the command;"
                    + " supervising it instead (it is killed if pidlock dies)");
            argv.addAll(0, List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        PidLock lock;
        try {
            lock = wait == null ? b.acquire() : b.acquire(wait);
        } catch (PidLockConflictException e) {
            System.err.println("pidlock: " + Main.message(e));
            return conflictExitCode;
        }
        Spawn.Request request = new Spawn.Request(argv, System.getenv(),
                inherit ? lock.inheritableDescriptor() : OptionalInt.empty(),
                new Spawn.Inherit(), new Spawn.Inherit(), new Spawn.Inherit(), false);
        if (noFork) {
            try {
                Spawn.exec(request);
            } finally {
                lock.close();
            }
        }
        long[] child = {0};
        int[] early = {0};
        for (String name : List.of("TERM", "INT", "HUP")) {
            SignalHandling.handle(name, number -> {
                synchronized (child) {
                    if (child[0] == 0) {
                        early[0] = number;
                    } else {
                        forward(child[0], number);
                    }
                }
            });
        }
        long pid;
        try {
            pid = Spawn.spawn(request);
        } catch (Exception e) {
            lock.close();
            throw e;
        }
        synchronized (child) {
            child[0] = pid;
            if (early[0] != 0) {
                forward(pid, early[0]);
            }
        }
        boolean reaped = false;
        try {
            lock.recordPid(pid);
            int status = Spawn.waitFor(pid);
            reaped = true;
            return status;
        } finally {
            if (reaped) {
                lock.close();
            } else if (inherit) {
                lock.handOff();
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
