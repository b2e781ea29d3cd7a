package dev.pidlock.cli;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.fcntl.spawn.Pidfd;
import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.internal.proc.LockHolders;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import java.io.IOException;
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
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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

    /** What {@link #stop} found. */
    enum Outcome { NOT_RUNNING, STOPPED, STILL_RUNNING }

    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * How long a lock held only by other pidlock stops, restarts or statuses ({@link Peers}), or by holders this
     * process cannot name, is waited for before it counts: their holds last a moment.
     */
    private static final Duration PEER_GRACE = Duration.ofSeconds(2);
    private static final Duration PEER_POLL = Duration.ofMillis(20);

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
                Optional<String> stays = removeIfFree(b);
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
        Signaller signaller = Signaller.create(o, signal);
        boolean locked = s.lock() == PidFileStatus.LockState.LOCKED;
        Outcome outcome = locked
                ? new HolderStop(s.path(), fileOwner, name, o, signal, signaller,
                        () -> target.builder().inspect().lock() == PidFileStatus.LockState.LOCKED).stop()
                : stopUnlocked(s, fileOwner, name, o, signal, match, signaller);
        if (outcome == Outcome.STOPPED) {
            // the lock vouched for the file's content, and its holders are gone: the pid written in it (another
            // namespace's, or nobody's) says nothing any more, so a free lock is taken whatever it names
            // the stop itself succeeded: a pidfile that cannot be removed (a read-only file system) stays, and
            // the next acquirer takes it over, its lock being free
            removeIfFree(locked ? b.respectLiveUnlockedHolder(false) : b)
                    .ifPresent(why -> System.err.println("pidlock: " + why));
        }
        return outcome;
    }

    /** Signals the kernel's holders of the lock on one inode, and waits until it is free. */
    private static final class HolderStop {
        private final Path path;
        private final long fileOwner;
        private final String name;
        private final Options o;
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

        HolderStop(Path path, long fileOwner, String name, Options o, int signal, Signaller signaller,
                   BooleanSupplier probeSaysHeld) throws IOException {
            this.probeSaysHeld = probeSaysHeld;
            this.path = path;
            this.fileOwner = fileOwner;
            this.name = name;
            this.o = o;
            this.signal = signal;
            this.signaller = signaller;
            Map<String, Object> id;
            try {
                id = Files.readAttributes(path, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                id = null;
            }
            this.device = id == null ? -1 : ((Number) id.get("dev")).longValue();
            this.inode = id == null ? -1 : ((Number) id.get("ino")).longValue();
        }

        Outcome stop() throws IOException, InterruptedException {
            if (inode < 0) {
                System.out.println(name + " is not running (its pidfile is gone).");
                return Outcome.NOT_RUNNING;
            }
            Optional<LockHolders> settled = settle();
            if (settled.isEmpty()) {
                System.out.println(name + " is not running (the lock on " + path + " was released).");
                return Outcome.STOPPED;
            }
            LockHolders now = settled.get();
            List<Long> pids = others(now);
            if (pids.isEmpty()) {
                if (!now.pids().isEmpty()) {
                    // only other pidlock stops (taking turns to remove the pidfile) hold it: nothing runs
                    System.out.println(name + " is not running (other pidlock commands are removing its pidfile).");
                    return Outcome.NOT_RUNNING;
                }
                throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "the lock on " + path + " is held, but the"
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
            System.out.print("Stopping " + name + " (pid " + join(pids) + ") ...");
            System.out.flush();
            try {
                if (awaitFree(signal, o.timeout)) {
                    System.out.println(" OK");
                    return Outcome.STOPPED;
                }
                if (o.force) {
                    System.out.print(" still held after " + format(o.timeout) + ", sending KILL ...");
                    System.out.flush();
                    signalled.values().forEach(StopCommand::closeQuietly);
                    signalled.clear(); // each remaining holder is verified and signalled again
                    if (awaitFree(Spawn.signalNumber("KILL"), KILL_WAIT)) {
                        System.out.println(" OK");
                        return Outcome.STOPPED;
                    }
                }
                List<Long> left = others(holders());
                System.out.println(" FAILED: the lock is still held after " + format(o.timeout)
                        + (left.isEmpty() ? "" : " (by pid " + join(left) + ")")
                        + (refused.isEmpty() ? "" : "; not signalled: " + String.join("; ", refused)));
                return Outcome.STILL_RUNNING;
            } catch (Main.CommandFailure | IOException e) {
                System.out.println(" FAILED");
                throw e;
            } finally {
                signalled.values().forEach(StopCommand::closeQuietly);
            }
        }

        /**
         * Signals every holder not signalled yet (also those that appear meanwhile: a holder's child that inherits
         * the descriptor), until the lock is free or the time is up.
         *
         * @return whether the lock is free
         */
        private boolean awaitFree(int sig, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + nanos(timeout);
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
                        throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "the lock on " + path + " is still"
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
         * Whether {@code pid} is a {@code pidlock run} wrapper whose command (or a process it started) holds the
         * lock too: the wrapper passes the signals it gets on, so signalling both would deliver one twice.
         */
        private static boolean passesOn(long pid, List<Long> holders) {
            if (!Peers.isRunWrapper(pid)) {
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
         * @return the holders that are not other pidlock stops, restarts or statuses ({@link Peers}), nor exiting
         *         (a process that exits loses its command line before it closes its files: a peer among them)
         */
        private static List<Long> others(LockHolders holders) {
            return holders.pids().stream().filter(pid -> !Peers.isPeer(pid) && !ProcFs.hasExited(pid)).toList();
        }

        private LockHolders holders() {
            return LockHolders.of(device, inode, path).orElseThrow(() -> new Main.CommandFailure(ExitCodes.NO_PERMISSION,
                    "cannot read the kernel's lock table (/proc/locks) to find who holds " + path
                            + "; not signalling anything"));
        }
    }

    /** An unlocked pidfile that names a live process: signalled only on the user's positive match. */
    private static Outcome stopUnlocked(PidFileStatus s, long fileOwner, String name, Options o, int signal,
                                        ProcessMatch match, Signaller signaller)
            throws IOException, InterruptedException {
        Path path = s.path();
        long pid = s.recordedPid().isPresent() ? s.recordedPid().getAsLong() : s.pid().orElse(-1);
        if (pid <= 0) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + path + " names no process; not"
                    + " signalling anything");
        }
        check(path, fileOwner, pid);
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
            Optional<Optional<Pidfd>> sent = signaller.sendIf(pid, () -> refusal(path, fileOwner, pid).isEmpty()
                    && match.test(pid), signal);
            if (sent.isEmpty()) {
                System.out.println(" OK (gone, or no longer matching: not signalled)");
                return Outcome.STOPPED;
            }
            pidfd = sent.get().orElse(null);
            if (!awaitExit(pid, pidfd, o.timeout) && o.force) {
                System.out.print(" still running after " + format(o.timeout) + ", sending KILL ...");
                System.out.flush();
                if (pidfd != null) {
                    check(path, fileOwner, pid);
                    match.require(path, pid); // still alive (its pidfd not readable), so this pid is still it
                    pidfd.signal(Spawn.signalNumber("KILL"));
                }
                awaitExit(pid, pidfd, KILL_WAIT);
            }
            if (pidfd != null ? !pidfd.exited() : ProcFs.mayHoldFiles(pid)) {
                System.out.println(" FAILED: still running after " + format(o.timeout));
                return Outcome.STILL_RUNNING;
            }
            System.out.println(" OK");
            return Outcome.STOPPED;
        } catch (Main.CommandFailure | IOException e) {
            System.out.println(" FAILED");
            throw e;
        } finally {
            closeQuietly(pidfd);
        }
    }

    /** @return the duration in nanoseconds, at most about 146 years (a longer timeout is as good as forever) */
    static long nanos(Duration d) {
        return d.compareTo(FOREVER) > 0 ? FOREVER.toNanos() : d.toNanos();
    }

    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE / 2);

    private static boolean awaitExit(long pid, Pidfd pidfd, Duration timeout) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + nanos(timeout);
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

    /** Sends signals through pidfds, or by pid after the check where the kernel has none. */
    private record Signaller(boolean pidfds) {

        static Signaller create(Options o, int signal) {
            if (Pidfd.available()) {
                return new Signaller(true);
            }
            if (o.force || signal == Spawn.signalNumber("KILL")) {
                throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "this kernel has no process descriptors"
                        + " (pidfd_open: ENOSYS, Linux 5.3 or later needed), so a recycled pid could get the"
                        + " signal: refusing " + (o.force ? "--force" : "--signal KILL"));
            }
            System.err.println("pidlock: this kernel has no process descriptors (pidfd_open: ENOSYS); signalling by"
                    + " pid after the check");
            return new Signaller(false);
        }

        /**
         * Opens the process's pidfd, checks with it open that the process is still the one to signal, and
         * signals it through the pidfd. Without pidfds: checks, then {@code kill(2)}.
         *
         * @param verified the check, made after the pidfd is open
         * @return empty when it was not signalled (gone, or the check failed); else its pidfd (empty without
         *         pidfds)
         */
        Optional<Optional<Pidfd>> sendIf(long pid, java.util.function.BooleanSupplier verified, int sig)
                throws IOException {
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
     */
    static void check(Path pidfile, long fileOwner, long pid) {
        Optional<String> why = refusal(pidfile, fileOwner, pid);
        if (why.isPresent()) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, why.get());
        }
    }

    /** @param fileOwner the pidfile's owner, read once: the rule holds even if the file goes meanwhile */
    private static Optional<String> refusal(Path pidfile, long fileOwner, long pid) {
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
     * Removes the pidfile under its lock. Another pidlock stop, restart or status that holds the lock for a
     * moment ({@link Peers}) is waited for, up to {@link #PEER_GRACE}; a pidfile already gone was removed by
     * another stop. When the lock cannot be taken (held again meanwhile) or the file cannot be opened or removed
     * (a read-only file system), the file stays.
     *
     * @return why the file stays, in one line naming it; empty when it is gone
     */
    private static Optional<String> removeIfFree(PidLock.Builder b) throws InterruptedException {
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
                return Optional.of("the pidfile " + b.path() + " stays: " + Main.message(e));
            }
            PidFileStatus now = b.inspect();
            if (now.state() == PidFileStatus.State.ABSENT) {
                return Optional.empty(); // another stop removed it meanwhile
            }
            boolean locked = now.lock() == PidFileStatus.LockState.LOCKED;
            // held by peers only (or by nobody it can name: one that let go during the look), or free again: a
            // peer's moment; an unlocked file that still cannot be taken names a live process, a few tries tell
            boolean brief = locked ? now.holders().stream().allMatch(Peers::isPeer) : ++unlockedMisses < 3;
            if (!brief || System.nanoTime() - deadline > 0) {
                return Optional.of("the pidfile " + now.path() + " stays: " + (locked ? "its lock is held again, "
                        : "") + now.detail());
            }
            TimeUnit.MILLISECONDS.sleep(PEER_POLL.toMillis());
        }
    }

    private static void closeQuietly(Pidfd pidfd) {
        if (pidfd != null) {
            pidfd.close();
        }
    }

    private static String join(List<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
