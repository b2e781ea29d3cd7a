package dev.pidlock.cli;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.fcntl.spawn.HolderStop;
import dev.pidlock.fcntl.spawn.HolderStop.Outcome;
import dev.pidlock.fcntl.spawn.Pidfd;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.ProcFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pidlock stop}: signal the processes that hold the lock, verified, and wait until it is free. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Signal the processes the kernel shows holding the pidfile's lock (all of them: CMD and"
                + " any child that inherited the descriptor; the pid written in the file is only a hint), and wait"
                + " until the lock is free, then remove the pidfile. Each holder is signalled through a process"
                + " descriptor (pidfd) after checking, with that descriptor open, that it still holds the lock,"
                + " so a recycled pid never gets the signal. Never pid 1, never this process; as root, never"
                + " another user's process for an unprivileged user's pidfile.",
                "An unlocked pidfile proves nothing (its time neither): its pid is signalled only when it matches"
                        + " --exec and/or --user, otherwise stop refuses (77).",
                "Without pidfd (Linux before 5.3), the signal goes by pid after the check, with a warning, and"
                        + " --force and --signal KILL are refused (77).",
                "Other pidlock stop, restart and status processes, which hold the lock for a moment, are waited"
                        + " for (up to 2s), never signalled.",
                "Exit: 0 stopped or not running (a pidfile that cannot be removed, on a read-only file system,"
                        + " stays, with one line on stderr); 1 the lock is still held after --timeout; 4 cannot tell"
                        + " (the pidfile is unreadable or not a regular file, or names a pid that exists but /proc"
                        + " hides); 77 refusing to signal an unverified process."})
final class StopCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    Options options;

    /** The options {@code stop} shares with {@code restart}. */
    static final class Options {
        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "10s", description = "How long to wait for the lock to be free (default 10s).")
        Duration timeout;

        @Option(names = "--force", description = "Send SIGKILL to the processes that still hold the lock after"
                + " --timeout (verified again), then wait up to 10s more.")
        boolean force;

        @Option(names = "--signal", paramLabel = "SIG", defaultValue = "TERM",
                description = "The signal to send (default TERM).")
        String signal;

        @Option(names = "--exec", paramLabel = "PATH", converter = PathConverter.class,
                description = "For an unlocked pidfile: signal its pid only if the process runs this executable (/proc/PID/exe is this file).")
        Path exec;

        @Option(names = "--user", paramLabel = "NAME|UID", description = "For an unlocked pidfile: signal its pid"
                + " only if the process runs as this user (the owner of /proc/PID).")
        String user;
    }

    private static final Duration POLL = Duration.ofMillis(50);

    @Override
    public Integer call() throws Exception {
        return stop(target, options, true) == Outcome.STILL_RUNNING ? ExitCodes.CONFLICT : ExitCodes.OK;
    }

    /**
     * Stops the instance of {@code target}: its lock's holders through {@link HolderStop}, or an unlocked pidfile's
     * process on the user's match; then removes the pidfile. A {@link HolderStop.StopFailure} becomes a
     * {@link Main.CommandFailure} with its exit code and message.
     */
    static Outcome stop(Target target, Options o, boolean sayNotRunning) throws IOException, InterruptedException {
        try {
            return stopOrFail(target, o, sayNotRunning);
        } catch (HolderStop.StopFailure f) {
            throw new Main.CommandFailure(f.exitCode(), f.getMessage());
        }
    }

    private static Outcome stopOrFail(Target target, Options o, boolean sayNotRunning) throws IOException,
            InterruptedException {
        int signal;
        try {
            signal = Spawn.signalNumber(o.signal);
        } catch (IllegalArgumentException e) {
            throw new Target.UsageException("unknown signal '" + o.signal + "'");
        }
        ProcessMatch match = ProcessMatch.of(o.exec, o.user);
        PidLock.Builder b = target.builder();
        PidFileStatus s = HiddenProcess.reconsider(b.inspect());
        String name = target.displayName(s.path());
        switch (s.state()) {
            case ABSENT -> {
                if (sayNotRunning) {
                    System.out.println(name + " is not running.");
                }
                return Outcome.NOT_RUNNING;
            }
            case STALE -> {
                Optional<String> stays = HolderStop.removeIfFree(b, Peers::isPeer, Main::message);
                if (sayNotRunning) {
                    System.out.println(name + " is not running (" + (stays.isEmpty() ? "removed its stale pidfile: "
                            : "its stale pidfile stays: ") + s.detail() + ").");
                }
                stays.ifPresent(why -> System.err.println("pidlock: " + why));
                return Outcome.NOT_RUNNING;
            }
            case UNKNOWN -> throw new Main.CommandFailure(ExitCodes.UNKNOWN, "cannot tell whether " + name
                    + " runs: " + s.detail());
            default -> { }
        }
        long fileOwner;
        try {
            fileOwner = ((Number) Files.getAttribute(s.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (NoSuchFileException gone) {
            if (sayNotRunning) {
                System.out.println(name + " is not running (its pidfile is gone).");
            }
            return Outcome.NOT_RUNNING;
        }
        boolean locked = s.lock() == PidFileStatus.LockState.LOCKED;
        Outcome outcome = locked
                ? HolderStop.stop(s.path(), fileOwner, name, o.timeout, o.force, signal, Peers::isPeer,
                        Peers::isRunWrapper,
                        () -> target.builder().inspect().lock() == PidFileStatus.LockState.LOCKED, System.out)
                : stopUnlocked(s, fileOwner, name, o, signal, match, HolderStop.Signaller.create(o.force, signal));
        if (outcome == Outcome.STOPPED) {
            // the lock vouched for the file's content, and its holders are gone: the pid written in it (another
            // namespace's, or nobody's) says nothing any more, so a free lock is taken whatever it names
            // the stop itself succeeded: a pidfile that cannot be removed (a read-only file system) stays, and
            // the next acquirer takes it over, its lock being free
            HolderStop.removeIfFree(locked ? b.respectLiveUnlockedHolder(false) : b, Peers::isPeer, Main::message)
                    .ifPresent(why -> System.err.println("pidlock: " + why));
        }
        return outcome;
    }

    /** An unlocked pidfile that names a live process: signalled only on the user's positive match. */
    private static Outcome stopUnlocked(PidFileStatus s, long fileOwner, String name, Options o, int signal,
                                        ProcessMatch match, HolderStop.Signaller signaller)
            throws IOException, InterruptedException {
        Path path = s.path();
        long pid = s.recordedPid().isPresent() ? s.recordedPid().getAsLong() : s.pid().orElse(-1);
        if (pid <= 0) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + path + " names no process; not"
                    + " signalling anything");
        }
        HolderStop.check(path, fileOwner, pid);
        if (match.isEmpty()) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + path + " is not locked, so nothing"
                    + " proves that pid " + pid + " is " + name + " (" + s.detail() + "); not signalling it: give"
                    + " --exec PATH or --user NAME to match the process");
        }
        match.require(path, pid);
        System.out.print("Stopping " + name + " (pid " + pid + ", unlocked pidfile, matched " + match + ") ...");
        System.out.flush();
        Pidfd pidfd = null;
        try {
            Optional<Optional<Pidfd>> sent = signaller.sendIf(pid,
                    () -> HolderStop.refusal(path, fileOwner, pid).isEmpty() && match.test(pid), signal);
            if (sent.isEmpty()) {
                System.out.println(" OK (gone, or no longer matching: not signalled)");
                return Outcome.STOPPED;
            }
            pidfd = sent.get().orElse(null);
            if (!awaitExit(pid, pidfd, o.timeout) && o.force) {
                System.out.print(" still running after " + HolderStop.format(o.timeout) + ", sending KILL ...");
                System.out.flush();
                if (pidfd != null) {
                    HolderStop.check(path, fileOwner, pid);
                    match.require(path, pid); // still alive (its pidfd not readable), so this pid is still it
                    pidfd.signal(Spawn.signalNumber("KILL"));
                }
                awaitExit(pid, pidfd, HolderStop.KILL_WAIT);
            }
            if (pidfd != null ? !pidfd.exited() : ProcFs.mayHoldFiles(pid)) {
                System.out.println(" FAILED: still running after " + HolderStop.format(o.timeout));
                return Outcome.STILL_RUNNING;
            }
            System.out.println(" OK");
            return Outcome.STOPPED;
        } catch (Main.CommandFailure | HolderStop.StopFailure | IOException e) {
            System.out.println(" FAILED");
            throw e;
        } finally {
            closeQuietly(pidfd);
        }
    }

    private static boolean awaitExit(long pid, Pidfd pidfd, Duration timeout) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + HolderStop.nanos(timeout);
        while (pidfd != null ? !pidfd.exited() : ProcFs.mayHoldFiles(pid)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Duration slice = Duration.ofNanos(Math.min(left, POLL.toNanos()));
            if (pidfd != null) {
                Pidfd.awaitExit(List.of(pidfd), slice);
            } else {
                TimeUnit.NANOSECONDS.sleep(slice.toNanos());
            }
        }
        return true;
    }

    private static void closeQuietly(Pidfd pidfd) {
        if (pidfd != null) {
            pidfd.close();
        }
    }
}
