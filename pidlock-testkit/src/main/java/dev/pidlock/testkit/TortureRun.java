package dev.pidlock.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The processes of one torture run around one {@link Ledger}: starts participants that speak the protocol of
 * {@link TortureChild} ({@code READY ID}, then {@code go}, then {@code DONE ID rounds=N …}), lets them go,
 * waits for them to finish, and kills them so that the ledger stays exact. Closing it kills whatever is left.
 *
 * <p>Any program can take part if it speaks the protocol, for example a {@code flock(1)} loop or a Python
 * {@code fcntl} loop that appends its own {@code enter}/{@code exit} lines.
 *
 * @since 0.1
 */
public final class TortureRun implements AutoCloseable {

    private final Ledger ledger;
    private final List<ChildProcess> live = new ArrayList<>();
    private final Set<ChildProcess> ready = new HashSet<>();
    private long started;

    /**
     * @param ledger the ledger every participant appends to
      * @since 0.1
     */
    public TortureRun(Ledger ledger) {
        this.ledger = ledger;
    }

    /**
     * @return the ledger of this run
     *
     * @since 0.1
     */
    public Ledger ledger() {
        return ledger;
    }

    /**
     * Starts a participant, without waiting for it.
     *
     * @param command the participant's command line, for example {@link TortureChild#command}
     * @return the participant, not started on its rounds yet (see {@link #go})
     * @throws IOException when it cannot start
      * @since 0.1
     */
    public ChildProcess start(List<String> command) throws IOException {
        ChildProcess c = ChildProcess.start(null, command);
        live.add(c);
        started++;
        return c;
    }

    /**
     * Waits for a participant's {@code READY} line (once), then lets it start its rounds.
     *
     * @param participant a participant
      * @since 0.1
     */
    public void go(ChildProcess participant) {
        awaitReady(participant);
        participant.send("go");
    }

    /**
     * Waits until every participant still running is ready, then lets them all start their rounds at once.
     *
     * @since 0.1
     */
    public void goAll() {
        live.forEach(this::awaitReady);
        live.forEach(this::go);
    }

    private void awaitReady(ChildProcess participant) {
        if (ready.add(participant)) {
            participant.expect("READY ");
        }
    }

    /**
     * @return the participants not finished or killed yet, in order of start
     *
     * @since 0.1
     */
    public List<ChildProcess> live() {
        return List.copyOf(live);
    }

    /**
     * @return how many participants were started in all
     *
     * @since 0.1
     */
    public long started() {
        return started;
    }

    /**
     * Waits for a participant to finish: it must exit 0 after a {@code DONE} line.
     *
     * @param participant the participant
     * @param patience    how long it may take at most (only to keep a broken run from hanging)
     * @return its {@code DONE} line
     * @throws AssertionError when it does not finish in time, fails or says no {@code DONE}
      * @since 0.1
     */
    public String finish(ChildProcess participant, Duration patience) {
        try {
            if (!participant.process().waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("participant " + participant.pid() + " did not finish within " + patience
                        + "; stderr:\n" + participant.stderr());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        int status = participant.waitFor();
        forget(participant);
        List<String> lines = participant.remainingLines();
        String done = lines.stream().filter(l -> l.startsWith("DONE ")).findFirst().orElse(null);
        if (status != 0 || done == null) {
            throw new AssertionError("participant " + participant.pid() + " exited " + status + " saying " + lines
                    + "; stderr:\n" + participant.stderr());
        }
        return done;
    }

    /**
     * Waits for every participant still running to finish, as {@link #finish} does, without stopping at the first
     * that fails: the ledger of a run where one failed is still worth checking.
     *
     * @param patience how long each may take at most
     * @param failures where to add one line for each participant that failed
     * @return the {@code DONE} lines of those that finished well
      * @since 0.1
     */
    public List<String> finishAll(Duration patience, List<String> failures) {
        List<String> done = new ArrayList<>();
        for (ChildProcess c : live()) {
            try {
                done.add(finish(c, patience));
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        return done;
    }

    /**
     * Kills a participant so that the ledger stays exact: stops it with {@code SIGSTOP} and waits until every
     * thread of it is stopped (from then on it writes nothing; Linux {@code /proc} tells), appends
     * {@code kill PID} to the ledger, then sends {@code SIGKILL} and reaps it. For the ledger it dies at the
     * {@code kill} line, though the kernel gives its locks up a little later: an entry by another process before
     * the line is an overlap, one after it is not. A participant that has exited on its own is only reaped, and
     * gets no line.
     *
     * @param participant the participant
     * @return the ledger's size just before the {@code kill} line, for {@link Ledger#awaitEnterAfter}
      * @since 0.1
     */
    public long kill(ChildProcess participant) {
        long before;
        if (stop(participant.pid())) {
            awaitStopped(participant.pid());
            before = ledger.size();
            ledger.append(killLine(participant));
        } else {
            before = ledger.size();
        }
        participant.kill();
        forget(participant);
        return before;
    }

    /** @return true when {@code SIGSTOP} was sent; false when the process had exited already */
    private static boolean stop(long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(pid))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor() == 0) {
                return true;
            }
        } catch (IOException e) {
            throw new AssertionError("kill -STOP " + pid + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            throw new AssertionError("kill -STOP " + pid + " failed, and the process runs");
        }
        return false;
    }

    private void forget(ChildProcess participant) {
        live.remove(participant);
        ready.remove(participant);
    }

    /**
     * @param participant a participant
     * @return the line {@link #kill} appends for it
      * @since 0.1
     */
    public static String killLine(ChildProcess participant) {
        return "kill " + participant.pid();
    }

    /** Waits until every thread of {@code pid} is stopped (or gone), by {@code /proc/PID/task/TID/stat}. */
    private static void awaitStopped(long pid) {
        long deadline = System.nanoTime() + ChildProcess.PATIENCE.toNanos();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        while (!allStopped(tasks)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("process " + pid + " did not stop within " + ChildProcess.PATIENCE);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private static boolean allStopped(Path tasks) {
        try (Stream<Path> list = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) list::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;
                }
                int close = stat.lastIndexOf(')');
                char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
                if ("tTZX".indexOf(state) < 0) {
                    return false;
                }
            }
            return true;
        } catch (NoSuchFileException e) {
            return true; // the process is gone (kill only stops a process this run started on Linux)
        } catch (IOException e) {
            throw new AssertionError("cannot read " + tasks, e);
        }
    }

    /**
     * Kills every participant still running.
     *
     * @since 0.1
     */
    @Override
    public void close() {
        for (ChildProcess c : live) {
            c.close();
        }
        live.clear();
        ready.clear();
    }
}
