package dev.pidlock.fcntl.spawn;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

/**
 * The verified stop of a running instance, shared by {@code pidlock stop} and {@code restart} and by
 * {@code dev.pidlock.daemon}: signals the processes the kernel shows holding the lock on a pidfile's inode (all of
 * them, and those they start meanwhile, but never a new instance that took the lock meanwhile), each through a
 * process descriptor after checking, with that descriptor open, that it still holds the lock, so a recycled pid
 * never gets the signal; and waits until the lock is free. Never pid 1, never this process; as root, never
 * another user's process for an unprivileged user's pidfile ({@link #check}).
 *
 * <p>Processes that hold the lock only for a moment (the caller's {@code isPeer}: other pidlock stops, restarts
 * and statuses, which take it to remove or probe the pidfile) are waited for, up to {@link #PEER_GRACE}, never
 * signalled.
 */
public final class HolderStop {

    /** What {@link #stop} found. */
    public enum Outcome {
        /** Nothing held the lock (or only peers did, or the pidfile is gone). */
        NOT_RUNNING,
        /** The holders were signalled and the lock is free; or it was released before they were. */
        STOPPED,
        /** The lock is still held after the timeout (and after {@code SIGKILL} with {@code force}). */
        STILL_RUNNING
    }

    /**
     * A refusal or a failure to look: one line for the user ({@link #getMessage()}), and the exit code
     * ({@link #REFUSED} refusing to signal, {@link #CANNOT_TELL} cannot tell).
     */
    public static final class StopFailure extends RuntimeException {
        /** Refusing to signal an unverified process (or one the rules of {@link #check} protect): 77. */
        public static final int REFUSED = 77;
        /** Cannot tell whether the instance runs: 4. */
        public static final int CANNOT_TELL = 4;

        private static final long serialVersionUID = 1L;
        private final int exitCode;

        /**
         * @param exitCode {@link #REFUSED} or {@link #CANNOT_TELL}
         * @param message  one line, naming the pidfile
         */
        public StopFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }

        /** @return the exit code: {@link #REFUSED} or {@link #CANNOT_TELL} */
        public int exitCode() {
            return exitCode;
        }
    }

    /** How long the holders that stay after the timeout get to exit once sent {@code SIGKILL}. */
    public static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * How long a lock held only by peers (other pidlock stops, restarts or statuses), or by holders this process
     * cannot name, is waited for before it counts: their holds last a moment.
     */
    public static final Duration PEER_GRACE = Duration.ofSeconds(2);
    private static final Duration PEER_POLL = Duration.ofMillis(20);
    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE / 2);

    private final Path path;
    private final long fileOwner;
    private final String name;
    private final Duration timeout;
    private final boolean force;
    private final int signal;
    private final Signaller signaller;
    private final long device;
    private final long inode;
    /** Every holder signalled so far, by pid: its pidfd (null without pidfds). */
    private final Map<Long, Pidfd> signalled = new LinkedHashMap<>();
    /** Why a holder was not signalled, when one was not. */
    private final List<String> refused = new ArrayList<>();
    /** Whether the backend's own probe sees the lock held (it sees holders the kernel's table hides). */
    private final BooleanSupplier probeSaysHeld;
    /** The holders when stop began: only they and processes they started are signalled. */
    private final Set<Long> origins = new HashSet<>();
    /** The sessions of those holders. */
    private final Set<Long> sessions = new HashSet<>();
    /**
     * The pids the kernel lists as the makers of the {@code flock} locks on the file when stop began: a flock
     * stays listed under its maker while any process holds the descriptor it was made on.
     */
    private final Set<Long> makers = new HashSet<>();
    /** Processes that hold the lock only for a moment, never signalled nor named as holders. */
    private final LongPredicate isPeer;
    /** Wrappers that pass the signals they get on to a child that holds the lock too. */
    private final LongPredicate passesSignalsOn;
    /** Where the progress line goes. */
    private final PrintStream out;
    private final boolean namePids;

    /**
     * Stops the kernel's holders of the locked pidfile at {@code path}, exactly as {@code pidlock stop} does:
     * prints {@code "Stopping NAME (pid P, ...) ..."} and then {@code " OK"}, {@code " still held after T, sending
     * KILL ... OK"} or {@code " FAILED..."} (a line of its own when nothing was signalled: not running, the lock was
     * released, only peers hold it). Signals each holder not signalled yet (also one that inherits the descriptor
     * meanwhile) until the lock is free or {@code timeout} is up; with {@code force}, then sends {@code SIGKILL}
     * to those that still hold it, verified again, and waits up to {@link #KILL_WAIT} more. Checks every holder
     * with {@link #check} before anything is signalled: refuses all or none.
     *
     * @param path            the pidfile, seen locked (its inode is read here; a pidfile gone is not running)
     * @param fileOwner       the pidfile's owner (uid), read once (see {@link #check})
     * @param name            the instance's name for the messages
     * @param timeout         how long to wait for the lock to be free after the signal
     * @param force           whether to send {@code SIGKILL} to the holders that stay after {@code timeout}
     * @param signal          the signal to send ({@link Spawn#signalNumber})
     * @param isPeer          processes that hold the lock only for a moment and must never be signalled
     *                        (pidlock's own stop, restart and status; a daemon passes its own recogniser)
     * @param passesSignalsOn a wrapper whose signalled child also holds the lock, which is signalled alone
     *                        ({@code pidlock run}); {@code pid -> false} when there is none
     * @param probeSaysHeld   whether the backend's own probe sees the lock held (it sees holders the kernel's
     *                        table hides)
     * @param out             where the progress goes (standard output for the command)
     * @return {@link Outcome#STOPPED}, {@link Outcome#NOT_RUNNING}, or {@link Outcome#STILL_RUNNING} after the
     *         timeout; the pidfile is left for the caller to remove ({@link #removeIfFree})
     * @throws StopFailure          ({@link StopFailure#REFUSED}) refusing to signal a holder, or when the holders
     *                              cannot be seen (another pid namespace, {@code /proc/locks} unreadable), or
     *                              without pidfds for {@code force} or {@code SIGKILL} (without pidfds otherwise,
     *                              signals by pid after the check, with a warning on standard error)
     * @throws IOException          when a holder cannot be looked at or signalled
     * @throws InterruptedException when interrupted while waiting
     */
    public static Outcome stop(Path path, long fileOwner, String name, Duration timeout, boolean force, int signal,
                               LongPredicate isPeer, LongPredicate passesSignalsOn, BooleanSupplier probeSaysHeld,
                               PrintStream out) throws IOException, InterruptedException {
        return stop(path, fileOwner, name, timeout, force, signal, isPeer, passesSignalsOn, probeSaysHeld, out, true);
    }

    /**
     * As {@link #stop(Path, long, String, Duration, boolean, int, LongPredicate, LongPredicate, BooleanSupplier,
     * PrintStream)}, with the holders' pids in the progress line or not ({@code "Stopping NAME ..."}, as daemonocle
     * prints it).
     *
     * @param namePids whether the progress line names the holders' pids
     * @return what it found
     * @throws IOException          when a holder cannot be signalled
     * @throws InterruptedException when interrupted while waiting
     */
    public static Outcome stop(Path path, long fileOwner, String name, Duration timeout, boolean force, int signal,
                               LongPredicate isPeer, LongPredicate passesSignalsOn, BooleanSupplier probeSaysHeld,
                               PrintStream out, boolean namePids) throws IOException, InterruptedException {
        Signaller signaller = Signaller.create(force, signal);
        return new HolderStop(path, fileOwner, name, timeout, force, signal, signaller, isPeer, passesSignalsOn,
                probeSaysHeld, out, namePids).run();
    }

    private HolderStop(Path path, long fileOwner, String name, Duration timeout, boolean force, int signal,
                       Signaller signaller, LongPredicate isPeer, LongPredicate passesSignalsOn,
                       BooleanSupplier probeSaysHeld, PrintStream out, boolean namePids) throws IOException {
        this.namePids = namePids;
        this.probeSaysHeld = probeSaysHeld;
        this.path = path;
        this.fileOwner = fileOwner;
        this.name = name;
        this.timeout = timeout;
        this.force = force;
        this.signal = signal;
        this.signaller = signaller;
        this.isPeer = isPeer;
        this.passesSignalsOn = passesSignalsOn;
        this.out = out;
        Map<String, Object> id;
        try {
            id = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            id = null;
        }
        this.device = id == null ? -1 : ((Number) id.get("dev")).longValue();
        this.inode = id == null ? -1 : ((Number) id.get("ino")).longValue();
    }

    private Outcome run() throws IOException, InterruptedException {
        if (inode < 0) {
            out.println(name + " is not running (its pidfile is gone).");
            return Outcome.NOT_RUNNING;
        }
        Optional<LockHolders> settled = settle();
        if (settled.isEmpty()) {
            out.println(name + " is not running (the lock on " + path + " was released).");
            return Outcome.STOPPED;
        }
        LockHolders now = settled.get();
        List<Long> pids = others(now);
        if (pids.isEmpty()) {
            if (!now.pids().isEmpty()) {
                // only other pidlock stops (taking turns to remove the pidfile) hold it: nothing runs
                out.println(name + " is not running (other pidlock commands are removing its pidfile).");
                return Outcome.NOT_RUNNING;
            }
            throw new StopFailure(StopFailure.REFUSED, "the lock on " + path + " is held, but the"
                    + " kernel names no holder this process can see (another pid namespace, or another user's"
                    + " process); not signalling anything");
        }
        for (long pid : pids) {
            check(path, fileOwner, pid); // before anything is signalled: refuse all or none
        }
        origins.addAll(pids);
        makers.addAll(flockMakers().orElse(Set.of()));
        for (long pid : pids) {
            ProcFs.stat(pid).map(ProcStat::session).filter(sid -> sid > 1).ifPresent(sessions::add);
        }
        out.print("Stopping " + name + (namePids ? " (pid " + join(pids) + ")" : "") + " ...");
        out.flush();
        try {
            if (awaitFree(signal, timeout)) {
                out.println(" OK");
                return Outcome.STOPPED;
            }
            if (force) {
                out.print(" still held after " + format(timeout) + ", sending KILL ...");
                out.flush();
                signalled.values().forEach(HolderStop::closeQuietly);
                signalled.clear(); // each remaining holder is verified and signalled again
                if (awaitFree(Spawn.signalNumber("KILL"), KILL_WAIT)) {
                    out.println(" OK");
                    return Outcome.STOPPED;
                }
            }
            List<Long> left = others(holders());
            out.println(" FAILED: the lock is still held after " + format(timeout)
                    + (left.isEmpty() ? "" : " (by pid " + join(left) + ")")
                    + (refused.isEmpty() ? "" : "; not signalled: " + String.join("; ", refused)));
            return Outcome.STILL_RUNNING;
        } catch (StopFailure | IOException e) {
            out.println(" FAILED");
            throw e;
        } finally {
            signalled.values().forEach(HolderStop::closeQuietly);
        }
    }

    /**
     * Signals every holder not signalled yet (also those that appear meanwhile: a holder's child that inherits
     * the descriptor), until the lock is free or the time is up.
     *
     * @return whether the lock is free
     */
    private boolean awaitFree(int sig, Duration wait) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + nanos(wait);
        long unnamedSince = 0;
        boolean unnamed = false;
        while (true) {
            LockHolders now = holders();
            List<Long> others = others(now);
            if (others.isEmpty()) {
                if (!now.locked() && !probeSaysHeld.getAsBoolean()) {
                    return true;
                }
                // held only by peers, or by no process it can name: a peer's moment (one that let go during
                // the look), or a holder it cannot see, which lasts
                if (!unnamed) {
                    unnamed = true;
                    unnamedSince = System.nanoTime();
                }
                if (System.nanoTime() - unnamedSince - PEER_GRACE.toNanos() < 0) {
                    TimeUnit.MILLISECONDS.sleep(PEER_POLL.toMillis());
                    continue;
                }
                if (!now.locked()) {
                    throw new StopFailure(StopFailure.REFUSED, "the lock on " + path + " is still"
                            + " held, by a process this one cannot see (another pid namespace); not signalling"
                            + " it");
                }
                return true; // none of the holders stop began with, nor one they started, holds it
            }
            unnamed = false;
            boolean sameLock = sameLock();
            if (!sameLock && others.stream().noneMatch(this::ours)) {
                return true; // only a new instance, which took the lock meanwhile, holds it now
            }
            for (long pid : others) {
                if (!sameLock && !ours(pid)) {
                    continue; // a new instance, not started by a holder: not ours to stop
                }
                if (passesOn(pid, others)) {
                    continue; // a pidlock run wrapper: its command, a holder too, gets the signal once
                }
                Pidfd known = signalled.get(pid);
                if (signalled.containsKey(pid) && (known == null || !known.exited())) {
                    continue;
                }
                closeQuietly(known);
                signalled.remove(pid);
                Optional<String> why = refusal(path, fileOwner, pid);
                if (why.isPresent()) {
                    if (!refused.contains(why.get())) {
                        refused.add(why.get());
                    }
                    continue;
                }
                signaller.sendIf(pid, () -> refusal(path, fileOwner, pid).isEmpty()
                        && LockHolders.holds(pid, device, inode), sig)
                        .ifPresent(pidfd -> signalled.put(pid, pidfd.orElse(null)));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return !holders().locked();
            }
            Duration slice = Duration.ofNanos(Math.min(left, POLL.toNanos()));
            List<Pidfd> running = new ArrayList<>();
            for (Pidfd pidfd : signalled.values()) {
                if (pidfd != null && !pidfd.exited()) {
                    running.add(pidfd);
                }
            }
            if (running.isEmpty()) {
                TimeUnit.NANOSECONDS.sleep(slice.toNanos()); // only holders not signalled are left
            } else {
                Pidfd.awaitExit(running, slice); // wakes as soon as one exits
            }
        }
    }

    /**
     * Whether the lock is still the one stop began with: every {@code flock} on the file was made by a process
     * that held it then. Whoever holds it now got the descriptor from those holders (a child that left their
     * session and outlived its parent has no other tie to them); a new instance makes a flock of its own.
     */
    private boolean sameLock() {
        Optional<Set<Long>> now = flockMakers();
        return !makers.isEmpty() && now.isPresent() && !now.get().isEmpty() && !now.get().contains(0L)
                && makers.containsAll(now.get());
    }

    /** @return the makers of the granted {@code flock} locks on the file (0 where another pid namespace made one) */
    private Optional<Set<Long>> flockMakers() {
        return ProcFs.locks().map(all -> all.stream()
                .filter(l -> !l.waiting() && l.isOn(device, inode) && "FLOCK".equals(l.kind()))
                .map(l -> l.pid() > 0 ? l.pid() : 0L).collect(Collectors.toSet()));
    }

    /**
     * Whether {@code pid} is a wrapper ({@code pidlock run}) whose command (or a process it started) holds the
     * lock too: the wrapper passes the signals it gets on, so signalling both would deliver one twice.
     */
    private boolean passesOn(long pid, List<Long> holders) {
        if (!passesSignalsOn.test(pid)) {
            return false;
        }
        for (long other : holders) {
            long p = other;
            for (int depth = 0; depth < 64 && p > 1; depth++) {
                p = ProcFs.stat(p).map(ProcStat::parent).orElse(-1L);
                if (p == pid) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code pid} is a holder stop began with, or was started by one: a descendant, or a process of
     * the same session (a holder's child whose parent was killed meanwhile has lost its parent, not its
     * session). A holder of another session that took the lock meanwhile is a new instance, not signalled.
     */
    private boolean ours(long pid) {
        Optional<ProcStat> stat = ProcFs.stat(pid);
        if (stat.isPresent() && stat.get().session() > 0 && sessions.contains(stat.get().session())) {
            return true;
        }
        long p = pid;
        for (int depth = 0; depth < 64 && p > 1; depth++) {
            if (origins.contains(p) || signalled.containsKey(p)) {
                origins.add(pid);
                return true;
            }
            p = ProcFs.stat(p).map(ProcStat::parent).orElse(-1L);
        }
        return false;
    }

    /**
     * The holders, once the moments for which other pidlock stops, restarts and statuses hold the lock (and
     * holders that let go while they were looked for) are over: waits up to {@link #PEER_GRACE} while the lock
     * is held by nobody but them.
     *
     * @return the holders; empty when the lock is free
     */
    private Optional<LockHolders> settle() throws InterruptedException {
        long deadline = System.nanoTime() + PEER_GRACE.toNanos();
        while (true) {
            LockHolders now = holders();
            if (!now.locked() && !probeSaysHeld.getAsBoolean()) {
                return Optional.empty();
            }
            if (!others(now).isEmpty() || System.nanoTime() - deadline > 0) {
                return Optional.of(now);
            }
            TimeUnit.MILLISECONDS.sleep(PEER_POLL.toMillis());
        }
    }

    /**
     * @return the holders that are not peers (other pidlock stops, restarts or statuses), nor exiting (a process
     *         that exits loses its command line before it closes its files: a peer among them)
     */
    private List<Long> others(LockHolders holders) {
        return holders.pids().stream().filter(pid -> !isPeer.test(pid) && !ProcFs.hasExited(pid)).toList();
    }

    private LockHolders holders() {
        return LockHolders.of(device, inode, path).orElseThrow(() -> new StopFailure(StopFailure.REFUSED,
                "cannot read the kernel's lock table (/proc/locks) to find who holds " + path
                        + "; not signalling anything"));
    }


    /** Sends signals through pidfds, or by pid after the check where the kernel has none. */
    public static final class Signaller {
        private final boolean pidfds;

        private Signaller(boolean pidfds) {
            this.pidfds = pidfds;
        }

        /**
         * The signaller for this kernel: through pidfds, or, without them (Linux before 5.3), by pid after the
         * check, with a warning on standard error.
         *
         * @param force  whether the holders that stay will be sent {@code SIGKILL}
         * @param signal the signal to send
         * @return the signaller
         * @throws StopFailure (77) without pidfds, for {@code force} or {@code SIGKILL}: a recycled pid could get it
         */
        public static Signaller create(boolean force, int signal) {
            if (Pidfd.available()) {
                return new Signaller(true);
            }
            if (force || signal == Spawn.signalNumber("KILL")) {
                throw new StopFailure(StopFailure.REFUSED, "this kernel has no process descriptors"
                        + " (pidfd_open: ENOSYS, Linux 5.3 or later needed), so a recycled pid could get the"
                        + " signal: refusing " + (force ? "--force" : "--signal KILL"));
            }
            System.err.println("pidlock: this kernel has no process descriptors (pidfd_open: ENOSYS); signalling by"
                    + " pid after the check");
            return new Signaller(false);
        }

        /**
         * Opens the process's pidfd, checks with it open that the process is still the one to signal, and
         * signals it through the pidfd. Without pidfds: checks, then {@code kill(2)}.
         *
         * @param pid      the process
         * @param verified the check, made after the pidfd is open
         * @param sig      the signal
         * @return empty when it was not signalled (gone, or the check failed); else its pidfd (empty without
         *         pidfds), which the caller closes
         * @throws IOException when the pidfd cannot be opened or the signal cannot be sent for another reason
         */
        public Optional<Optional<Pidfd>> sendIf(long pid, BooleanSupplier verified, int sig) throws IOException {
            if (!pidfds) {
                if (!verified.getAsBoolean()) {
                    return Optional.empty();
                }
                return Spawn.kill(pid, sig) ? Optional.of(Optional.empty()) : Optional.empty();
            }
            Optional<Pidfd> opened = Pidfd.open(pid);
            if (opened.isEmpty()) {
                return Optional.empty();
            }
            Pidfd pidfd = opened.get();
            // verified with the pidfd open: if the signal reaches the process, it was alive during the check,
            // so the check looked at it and not at a process that got its pid later
            if (!verified.getAsBoolean() || !pidfd.signal(sig)) {
                pidfd.close();
                return Optional.empty();
            }
            return Optional.of(Optional.of(pidfd));
        }
    }

    /**
     * Refuses to signal a process whatever proves it the holder: pid 1 or less; this process; as root, a
     * pidfile of an unprivileged user naming a process of somebody else (the systemd rule).
     *
     * @param pidfile   the pidfile, for the message
     * @param fileOwner the pidfile's owner (uid), read once: the rule holds even if the file goes meanwhile
     * @param pid       the process to be signalled
     * @throws StopFailure (77) naming the pidfile, the pid and why it is not signalled
     */
    public static void check(Path pidfile, long fileOwner, long pid) {
        Optional<String> why = refusal(pidfile, fileOwner, pid);
        if (why.isPresent()) {
            throw new StopFailure(StopFailure.REFUSED, why.get());
        }
    }

    /**
     * The rule of {@link #check}, as a value.
     *
     * @param pidfile   the pidfile, for the message
     * @param fileOwner the pidfile's owner (uid), read once: the rule holds even if the file goes meanwhile
     * @param pid       the process to be signalled
     * @return why it must not be signalled, in one line; empty when it may be
     */
    public static Optional<String> refusal(Path pidfile, long fileOwner, long pid) {
        if (pid <= 1 || pid == ProcessHandle.current().pid()) {
            return Optional.of("pidfile " + pidfile + ": pid " + pid + (pid <= 1 ? "" : " is this process")
                    + "; not signalling it");
        }
        long me = ProcFs.ownerOfSelf().orElse(-1);
        if (me == 0) {
            OptionalLong procOwner = ProcFs.owner(pid);
            if (fileOwner != 0 && (procOwner.isEmpty() || procOwner.getAsLong() != fileOwner)) {
                return Optional.of("pidfile " + pidfile + " belongs to uid " + fileOwner + " but pid " + pid
                        + (procOwner.isEmpty() ? " is gone or unreadable" : " runs as uid " + procOwner.getAsLong())
                        + "; not signalling it");
            }
        }
        return Optional.empty();
    }

    /**
     * Removes the pidfile under its lock, as {@link #removeIfFree(PidLock.Builder, LongPredicate, Function)} with
     * an exception's own message (its class name when it has none).
     *
     * @param b      the pidfile's builder (its backend and options)
     * @param isPeer the processes that hold the lock only for a moment
     * @return why the file stays, in one line naming it; empty when it is gone
     * @throws InterruptedException when interrupted while waiting for a peer
     */
    public static Optional<String> removeIfFree(PidLock.Builder b, LongPredicate isPeer) throws InterruptedException {
        return removeIfFree(b, isPeer, e -> e.getMessage() == null || e.getMessage().isBlank()
                ? e.getClass().getSimpleName() : e.getMessage());
    }

    /**
     * Removes the pidfile under its lock. A peer that holds the lock for a moment (another pidlock stop, restart
     * or status: {@code isPeer}) is waited for, up to {@link #PEER_GRACE}; a pidfile already gone was removed by
     * another stop. When the lock cannot be taken (held again meanwhile) or the file cannot be opened or removed
     * (a read-only file system), the file stays.
     *
     * @param b        the pidfile's builder (its backend and options)
     * @param isPeer   the processes that hold the lock only for a moment
     * @param describe how an exception reads in the line (the command escapes control characters)
     * @return why the file stays, in one line naming it; empty when it is gone
     * @throws InterruptedException when interrupted while waiting for a peer
     */
    public static Optional<String> removeIfFree(PidLock.Builder b, LongPredicate isPeer,
                                                Function<? super PidLockException, String> describe)
            throws InterruptedException {
        long deadline = System.nanoTime() + PEER_GRACE.toNanos();
        int unlockedMisses = 0;
        while (true) {
            try {
                Optional<PidLock> taken = b.tryAcquire();
                if (taken.isPresent()) {
                    taken.get().close();
                    return Optional.empty();
                }
            } catch (PidLockException e) {
                return Optional.of("the pidfile " + b.path() + " stays: " + describe.apply(e));
            }
            PidFileStatus now = b.inspect();
            if (now.state() == PidFileStatus.State.ABSENT) {
                return Optional.empty(); // another stop removed it meanwhile
            }
            boolean locked = now.lock() == PidFileStatus.LockState.LOCKED;
            // held by peers only (or by nobody it can name: one that let go during the look), or free again: a
            // peer's moment; an unlocked file that still cannot be taken names a live process, a few tries tell
            boolean brief = locked ? now.holders().stream().allMatch(isPeer::test) : ++unlockedMisses < 3;
            if (!brief || System.nanoTime() - deadline > 0) {
                return Optional.of("the pidfile " + now.path() + " stays: " + (locked ? "its lock is held again, "
                        : "") + now.detail());
            }
            TimeUnit.MILLISECONDS.sleep(PEER_POLL.toMillis());
        }
    }

    /** @return the duration in nanoseconds, at most about 146 years (a longer timeout is as good as forever) */
    public static long nanos(Duration d) {
        return d.compareTo(FOREVER) > 0 ? FOREVER.toNanos() : d.toNanos();
    }

    /**
     * @param d a duration
     * @return it as the messages write it: whole seconds as {@code 10s}, else milliseconds ({@code 1500ms})
     */
    public static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static void closeQuietly(Pidfd pidfd) {
        if (pidfd != null) {
            pidfd.close();
        }
    }

    private static String join(List<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
