package dev.pidlock.cli;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.spi.RecordedHolder;
import dev.pidlock.spi.StaleDetector;
import dev.pidlock.spi.StaleVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pidlock stop}: signal the verified holder and wait for it to exit. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Signal the pidfile's process, after checking that it is the holder (the lock is held,"
                + " and it started before the pidfile was written; never pid 1 or less), and wait for it to exit."
                + " Removes the pidfile once it is gone.",
                "Exit: 0 stopped or not running; 1 still running; 4 cannot tell (the pidfile is unreadable or"
                        + " not a regular file)."})
final class StopCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Mixin
    Options options;

    /** The options {@code stop} shares with {@code restart}. */
    static final class Options {
        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "10s", description = "How long to wait for the process to exit (default 10s).")
        Duration timeout;

        @Option(names = "--force", description = "Send SIGKILL when the process is still running after --timeout.")
        boolean force;

        @Option(names = "--signal", paramLabel = "SIG", defaultValue = "TERM",
                description = "The signal to send (default TERM).")
        String signal;
    }

    /** What {@link #stop} found. */
    enum Outcome { NOT_RUNNING, STOPPED, STILL_RUNNING }

    @Override
    public Integer call() throws Exception {
        return stop(target, options, true) == Outcome.STILL_RUNNING ? ExitCodes.CONFLICT : ExitCodes.OK;
    }

    static Outcome stop(Target target, Options o, boolean sayNotRunning) throws IOException, InterruptedException {
        int signal;
        try {
            signal = Spawn.signalNumber(o.signal);
        } catch (IllegalArgumentException e) {
            throw new Target.UsageException("unknown signal '" + o.signal + "'");
        }
        PidLock.Builder b = target.builder();
        PidFileStatus s = b.inspect();
        String name = target.displayName(s.path());
        switch (s.state()) {
            case ABSENT -> {
                if (sayNotRunning) {
                    System.out.println(name + " is not running.");
                }
                return Outcome.NOT_RUNNING;
            }
            case STALE -> {
                removeIfFree(b);
                if (sayNotRunning) {
                    System.out.println(name + " is not running (removed its stale pidfile: " + s.detail() + ").");
                }
                return Outcome.NOT_RUNNING;
            }
            case UNKNOWN -> throw new Main.CommandFailure(ExitCodes.UNKNOWN, "cannot tell whether " + name
                    + " runs: " + s.detail());
            default -> { }
        }
        long pid = s.pid().orElseThrow(() -> new Main.CommandFailure(ExitCodes.NO_PERMISSION,
                "pidfile " + s.path() + " names no process; not signalling anything"));
        verify(s.path(), pid);
        System.out.print("Stopping " + name + " (pid " + pid + ") ...");
        System.out.flush();
        if (!Spawn.kill(pid, signal)) {
            System.out.println(" OK (already gone)");
            removeIfFree(b);
            return Outcome.STOPPED;
        }
        if (!awaitExit(pid, o.timeout) && o.force) {
            System.out.print(" still running after " + format(o.timeout) + ", sending KILL ...");
            System.out.flush();
            Spawn.kill(pid, Spawn.signalNumber("KILL"));
            awaitExit(pid, Duration.ofSeconds(10));
        }
        if (ProcFs.mayHoldFiles(pid)) {
            System.out.println(" FAILED: still running after " + format(o.timeout));
            return Outcome.STILL_RUNNING;
        }
        System.out.println(" OK");
        removeIfFree(b);
        return Outcome.STOPPED;
    }

    /**
     * Refuses to signal a process that may not be the holder: pid ≤ 1; a process that started after the
     * pidfile was written (a reused pid, by the start-time stale detector); as root, a pidfile of an
     * unprivileged user naming a process of somebody else (the systemd rule).
     */
    static void verify(Path pidfile, long pid) throws IOException {
        if (pid <= 1) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + pidfile + " names pid " + pid
                    + "; not signalling it");
        }
        Instant written = Files.getLastModifiedTime(pidfile, LinkOption.NOFOLLOW_LINKS).toInstant();
        // the stale detector's start-time rule, with its tolerance of the clock granularity of /proc
        StaleVerdict verdict = StaleDetector.startTime()
                .assess(new RecordedHolder(pid, pidfile, Optional.of(written)));
        if (verdict.kind() == StaleVerdict.Kind.REUSED) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + pidfile + ": " + verdict.reason()
                    + "; not signalling it");
        }
        long me = ProcFs.ownerOfSelf().orElse(-1);
        if (me == 0) {
            long fileOwner = ((Number) Files.getAttribute(pidfile, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long procOwner = ProcFs.owner(pid).orElse(-1);
            if (fileOwner != 0 && procOwner != fileOwner) {
                throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + pidfile + " belongs to uid "
                        + fileOwner + " but pid " + pid + " runs as uid " + procOwner + "; not signalling it");
            }
        }
    }

    /**
     * Waits until the process is a zombie or gone: until then it may hold the lock, even while it exits (the
     * kernel frees a process's memory before it closes its files, which takes a while for a large one).
     *
     * @return whether it finished exiting within the time
     */
    static boolean awaitExit(long pid, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcFs.mayHoldFiles(pid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    /**
     * Removes the pidfile under its lock. When the lock is still held — a process the command started kept the
     * inherited descriptor — the file stays, and the user is told who holds it.
     */
    private static void removeIfFree(PidLock.Builder b) {
        if (b.tryAcquire().map(lock -> {
            lock.close();
            return true;
        }).orElse(false)) {
            return;
        }
        PidFileStatus now = b.inspect();
        System.err.println("pidlock: the lock on " + now.path() + " is still held, by a process that inherited"
                + " it (" + now.detail() + "); the pidfile stays");
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
