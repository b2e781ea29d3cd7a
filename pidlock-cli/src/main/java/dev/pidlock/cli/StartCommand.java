package dev.pidlock.cli;

import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pidlock start}: start a command detached, holding the lock, and report whether it stayed up. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Start CMD detached (own session, stdin from /dev/null, output appended to --stdout/--stderr"
                + " or discarded), holding the lock through the inherited descriptor; no JVM stays behind.",
                "CMD counts as started when it is still up at the end of --startup-timeout, or when it exited"
                        + " with status 0 and a process it started (a daemon that forks) holds the lock then;"
                        + " the pidfile names that process.",
                "Exit: 0 started (or already running); on early death CMD's status (1 if it was 0)."})
final class StartCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    Options options;

    @Parameters(paramLabel = "CMD", arity = "0..*", description = "The command and its arguments, after --.")
    List<String> command = new ArrayList<>();

    /** The options {@code start} shares with {@code restart}. */
    static final class Options {
        @Option(names = "--backend", paramLabel = "ID", description = "Lock backend (default: auto).")
        String backend;

        @Option(names = "--owner", paramLabel = "USER[:GROUP]", description = "Give the pidfile to this user (and"
                + " group), by name or number, through the open file: for a service started as root that runs as"
                + " USER and must be able to replace its pidfile.")
        String owner;

        @Option(names = "--stdout", paramLabel = "FILE", converter = PathConverter.class,
                description = "Append CMD's stdout here.")
        Path stdout;

        @Option(names = "--stderr", paramLabel = "FILE", converter = PathConverter.class,
                description = "Append CMD's stderr here.")
        Path stderr;

        @Option(names = "--startup-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "1s", description = "How long CMD must stay up to count as started (default 1s).")
        Duration startupTimeout;
    }

    @Override
    public Integer call() throws Exception {
        return start(target, options, command);
    }

    static int start(Target target, Options o, List<String> command) throws Exception {
        return start(target, o, command, false);
    }

    /**
     * @param afterStop whether {@code restart} has just stopped the old instance: then a holder is not "already
     *                  running" but one that took the lock meanwhile, and nothing is started (exit 1)
     */
    static int start(Target target, Options o, List<String> command, boolean afterStop) throws Exception {
        if (command.isEmpty()) {
            throw new Target.UsageException("missing command after --");
        }
        PidLock.Builder b = Launch.withOwner(Launch.withBackend(target.builder(), o.backend), o.owner);
        dev.pidlock.BackendInfo chosen = Launch.chosen(b);
        if (!Launch.inheritable(chosen)) {
            throw new Main.CommandFailure(ExitCodes.UNAVAILABLE, "start needs a backend whose lock the command"
                    + " can inherit (ofd, flock, ofd+flock); " + chosen.id() + " cannot pass its lock on");
        }
        b.inheritableAcrossExec();
        Path path = b.path();
        String name = target.displayName(path);
        PidLock lock;
        try {
            lock = b.acquire();
        } catch (PidLockConflictException e) {
            if (afterStop) {
                throw new Main.CommandFailure(ExitCodes.CONFLICT, "not starting " + name + ": the lock on " + path
                        + " was taken again after the stop" + (e.holderPid().isPresent() ? ", by pid "
                        + e.holderPid().getAsLong() : "") + " (" + Main.message(e) + ")");
            }
            System.out.println(name + " is already running (" + (e.holderPid().isPresent()
                    ? "pid " + e.holderPid().getAsLong() + ", " : "") + "pidfile " + Printable.of(path.toString()) + ").");
            return ExitCodes.OK;
        }
        Spawn.Request request = new Spawn.Request(command,
                StartupSignals.commandEnvironment(RawCommandLine.environment()), lock.inheritableDescriptor(),
                new Spawn.DevNull(), stream(o.stdout), stream(o.stderr), true);
        long pid;
        try {
            pid = Spawn.spawn(request);
        } catch (Exception e) {
            lock.close();
            throw e;
        }
        lock.markHandedOn();
        try {
            lock.recordPid(pid);
        } catch (dev.pidlock.PidLockException e) {
            // CMD runs and holds the lock whatever the file says
            System.err.println("pidlock: warning: could not name pid " + pid + " in the pidfile ("
                    + Main.message(e) + ")");
        }
        long deadline = System.nanoTime() + o.startupTimeout.toNanos();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return Spawn.waitFor(pid);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "pidlock-waitpid");
            t.setDaemon(true);
            t.start();
        });
        int status;
        try {
            status = exit.get(o.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillUp) {
            if (Launch.otherHolder(lock).isEmpty() && ProcFs.locks().isPresent()) {
                // it runs, but neither it nor anything it started holds the descriptor it was given
                lock.close();
                System.err.println("pidlock: " + name + " (pid " + pid + ") runs, but does not hold the lock on "
                        + path + ": it closed the descriptor it inherited, so nothing keeps a second instance"
                        + " out; not counting it as started (it was not stopped)");
                return ExitCodes.CONFLICT;
            }
            lock.handOff();
            System.out.println("Started " + name + ", pid " + pid + ".");
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            lock.handOff();
            throw new Main.CommandFailure(ExitCodes.SOFTWARE, "cannot watch pid " + pid + ": "
                    + Main.message(e.getCause()));
        }
        OptionalLong holder = Launch.otherHolder(lock, pid);
        if (holder.isPresent()) {
            sleepUntil(deadline);
            holder = Launch.otherHolder(lock);
        }
        String exited = name + " exited with status " + status
                + (status > 128 ? " (signal " + Spawn.signalName(status - 128) + ")" : "");
        if (holder.isPresent()) {
            lock.recordPid(holder.getAsLong());
            lock.handOff();
            if (status == 0) {
                System.out.println("Started " + name + ", pid " + holder.getAsLong() + ".");
                return ExitCodes.OK;
            }
            System.err.println("pidlock: " + exited + "; pid " + holder.getAsLong() + ", which it started,"
                    + " holds the lock on " + path);
            return status;
        }
        lock.close();
        StringBuilder msg = new StringBuilder(exited + ", and nothing it started holds the lock");
        System.err.println("pidlock: " + msg);
        if (o.stderr != null) {
            for (String line : lastLines(o.stderr, 10)) {
                System.err.println("  " + line);
            }
        }
        return status == 0 ? 1 : status;
    }

    /** Sleeps until {@code deadline} ({@link System#nanoTime()}), also when interrupted. */
    private static void sleepUntil(long deadline) {
        boolean interrupted = false;
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Spawn.Stream stream(Path file) {
        return file == null ? new Spawn.DevNull() : new Spawn.AppendTo(file.toAbsolutePath());
    }

    private static List<String> lastLines(Path file, int n) {
        try {
            List<String> all = Files.readAllLines(file);
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
