package dev.pidlock.fcntl.spawn;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.pidlock.fcntl.libc.Errors;
import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@link Spawn} on Linux through {@code posix_spawnp(3)}, {@code execvpe(3)}, {@code waitpid(2)} and
 * {@code kill(2)}.
 *
 * <h2>Which descriptors reach the command</h2>
 * Only 0, 1, 2 and the lock descriptor, under its own number. The JVM holds many descriptors without
 * {@code FD_CLOEXEC} (and other threads open more at any time), so they are closed in the child, by file
 * actions that run after the fork and before the exec, on the child's own copy of the descriptor table:
 * <ol>
 *   <li>{@code dup2(X, 0|1|2)} for each redirected stream, where X was opened in the JVM with
 *       {@code O_CLOEXEC} (opening it here gives an exact error message naming the file);</li>
 *   <li>without a lock descriptor: {@code closefrom(3)};</li>
 *   <li>with lock descriptor L: {@code dup2(L, T)}, {@code closefrom(T + 1)}, {@code dup2(T, L)},
 *       {@code close(T)}, where T is 3 (or 4 when L is 3). {@code closefrom} cannot skip a descriptor, so
 *       the lock's open file description is parked at T below the range while everything from T + 1 up
 *       (L included) is closed, then put back under its own number. {@code dup2} to a different number
 *       always clears {@code FD_CLOEXEC}, so L survives the exec whatever its flag in the JVM.</li>
 * </ol>
 * This is free of races: no descriptor the JVM opens concurrently can slip through, whatever its flags.
 * {@code closefrom} is {@code posix_spawn_file_actions_addclosefrom_np} (glibc 2.34 and later). Without it
 * (older glibc, musl), the fallback lists {@code /proc/self/fd} just before the spawn and adds a
 * {@code close} for each descriptor from 3 up except L, and clears {@code FD_CLOEXEC} on L in the JVM: a
 * descriptor opened by another thread between the listing and the spawn without {@code O_CLOEXEC} would
 * reach the command (the fallback deliberately does not set {@code FD_CLOEXEC} on the JVM's descriptors: a
 * concurrent {@code ProcessBuilder} passes some to its helper through exec).
 *
 * <h2>Signals</h2>
 * The child starts with an empty signal mask ({@code POSIX_SPAWN_SETSIGMASK}: the JVM blocks SIGQUIT and
 * others in its threads, and a mask is inherited) and every signal at its default disposition
 * ({@code POSIX_SPAWN_SETSIGDEF} with a full set: ignored signals are inherited too; the set includes glibc's
 * internal signals 32 and 33, which {@code sigfillset} leaves out and glibc's child code would otherwise
 * leave ignored), except the signals the caller asks to keep ignored: those are left out of the set, and glibc's
 * child code leaves a signal outside the set alone when it is ignored (and resets it when it is handled). 32
 * and 33 are always reset.
 * {@code POSIX_SPAWN_SETSID} puts it in its own session; {@code POSIX_SPAWN_SETPGROUP} (group 0) in a process
 * group of its own.
 *
 * <h2>exec</h2>
 * Marks every descriptor from 3 up close-on-exec ({@code close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)}; by
 * {@code /proc/self/fd} where the kernel or C library lacks it), clears it on the lock descriptor, empties
 * this thread's signal mask and resets ignored signals (but those the caller keeps) to their default (handled ones reset by themselves
 * at exec; through the {@code rt_sigaction} syscall, which also reaches 32 and 33), then {@code execvpe}.
 * When that fails, the mask and the dispositions are restored before the exception is thrown; the
 * descriptors stay close-on-exec, which the JVM does not mind.
 */
final class PosixSpawn {

    private static final String DEV_NULL = "/dev/null";

    private PosixSpawn() {
    }

    /** @return the platform this JVM runs on, when it declares spawning */
    static Optional<Platform> platform() {
        return Platform.current().filter(p -> p.spawning().isPresent());
    }

    /**
     * @return the platform this JVM runs on
     * @throws SpawnException when it does not declare spawning
     */
    static Platform require() throws SpawnException {
        Optional<Platform> p = platform();
        if (p.isEmpty()) {
            throw new SpawnException("spawning commands is not supported on " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch"), "ENOTSUP");
        }
        return p.get();
    }

    static long spawn(Spawn.Request request) throws SpawnException {
        return spawn(request, false);
    }

    static long spawn(Spawn.Request request, boolean procFdFallback) throws SpawnException {
        return spawn(request, Set.of(), false, procFdFallback);
    }

    /**
     * @param request        what to start
     * @param keepIgnored    signals left out of the reset to default: those this JVM ignores stay ignored in
     *                       the child (glibc's child code keeps an ignored disposition it is not asked to reset;
     *                       a signal this JVM handles starts at its default in any case)
     * @param ownGroup       whether the child gets a process group of its own ({@code POSIX_SPAWN_SETPGROUP})
     * @param procFdFallback close the descriptors by listing {@code /proc/self/fd} even when
     *                       {@code closefrom} is available (for tests of the fallback)
     * @return the child's pid
     * @throws SpawnException when it cannot be started
     */
    static long spawn(Spawn.Request request, Set<Integer> keepIgnored, boolean ownGroup, boolean procFdFallback)
            throws SpawnException {
        Platform p = require();
        Platform.Spawning s = p.spawning().orElseThrow();
        String cmd = request.argv().get(0);
        byte[] file = CStrings.bytes(cmd, "command");
        int lock = lockFd(request, p, cmd);
        int[] streams = {-1, -1, -1};
        try (Memory argv = CStrings.array(request.argv(), "argument");
             Memory envp = CStrings.array(environment(request.env()), "environment");
             Memory actions = new Memory(s.actionsBytes());
             Memory attr = new Memory(s.attrBytes());
             Memory emptySet = new Memory(s.sigsetBytes());
             Memory fullSet = new Memory(s.sigsetBytes())) {
            actions.clear();
            attr.clear();
            emptySet.clear();
            fullSet.clear();
            streams[0] = openStream(request.stdin(), 0, "stdin", cmd, p);
            streams[1] = openStream(request.stdout(), 1, "stdout", cmd, p);
            streams[2] = openStream(request.stderr(), 2, "stderr", cmd, p);

            check(Libc.Processes.posix_spawn_file_actions_init(actions), cmd, "posix_spawn_file_actions_init", p);
            try {
                for (int target = 0; target < 3; target++) {
                    if (streams[target] >= 0) {
                        check(Libc.Processes.posix_spawn_file_actions_adddup2(actions, streams[target], target), cmd,
                                "posix_spawn_file_actions_adddup2", p);
                    }
                }
                Function closefrom = procFdFallback ? null : Libc.Processes.ADDCLOSEFROM;
                if (closefrom != null) {
                    closeAllButLock(actions, lock, closefrom, cmd, p);
                } else {
                    closeListedButLock(actions, lock, cmd, p);
                }

                check(Libc.Processes.posix_spawnattr_init(attr), cmd, "posix_spawnattr_init", p);
                try {
                    checkMinusOne(Libc.Processes.sigemptyset(emptySet), cmd, "sigemptyset", p);
                    checkMinusOne(Libc.Processes.sigfillset(fullSet), cmd, "sigfillset", p);
                    // sigfillset leaves out glibc's internal signals 32 and 33, and glibc's posix_spawn then sets
                    // them to SIG_IGN in the child (a blocked internal signal not in the SETSIGDEF set is
                    // ignored): put them in too, as bits of the first word (signal N is bit N - 1), which
                    // posix_spawnattr_setsigdefault copies as it is, so the command starts with nothing ignored
                    long defaults = -1L;
                    for (int sig : keepIgnored) {
                        if (sig >= 1 && sig <= Long.SIZE && sig != 32 && sig != 33) {
                            defaults &= ~(1L << (sig - 1));
                        }
                    }
                    fullSet.setLong(0, defaults);
                    int flags = s.setsigmask() | s.setsigdef() | (request.newSession() ? s.setsid() : 0)
                            | (ownGroup ? s.setpgroup() : 0);
                    check(Libc.Processes.posix_spawnattr_setflags(attr, (short) flags), cmd, "posix_spawnattr_setflags", p);
                    check(Libc.Processes.posix_spawnattr_setsigmask(attr, emptySet), cmd, "posix_spawnattr_setsigmask", p);
                    check(Libc.Processes.posix_spawnattr_setsigdefault(attr, fullSet), cmd,
                            "posix_spawnattr_setsigdefault", p);
                    int[] pid = new int[1];
                    int rc = Libc.Processes.posix_spawnp(pid, file, actions, attr, argv, envp);
                    if (rc != 0) {
                        throw failure(cmd, reasonForExec(rc, p), "posix_spawnp", rc, p);
                    }
                    return pid[0];
                } finally {
                    Libc.Processes.posix_spawnattr_destroy(attr);
                }
            } finally {
                Libc.Processes.posix_spawn_file_actions_destroy(actions);
            }
        } finally {
            for (int fd : streams) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
            }
        }
    }

    /** The race-free way: see the class comment. */
    private static void closeAllButLock(Pointer actions, int lock, Function closefrom, String cmd, Platform p)
            throws SpawnException {
        String call = "posix_spawn_file_actions_addclosefrom_np";
        if (lock < 0) {
            check(closefrom.invokeInt(new Object[] {actions, 3}), cmd, call, p);
            return;
        }
        int parked = lock == 3 ? 4 : 3;
        check(Libc.Processes.posix_spawn_file_actions_adddup2(actions, lock, parked), cmd,
                "posix_spawn_file_actions_adddup2", p);
        check(closefrom.invokeInt(new Object[] {actions, parked + 1}), cmd, call, p);
        check(Libc.Processes.posix_spawn_file_actions_adddup2(actions, parked, lock), cmd,
                "posix_spawn_file_actions_adddup2", p);
        check(Libc.Processes.posix_spawn_file_actions_addclose(actions, parked), cmd, "posix_spawn_file_actions_addclose",
                p);
    }

    /** The fallback without {@code closefrom}: see the class comment. */
    private static void closeListedButLock(Pointer actions, int lock, String cmd, Platform p)
            throws SpawnException {
        if (lock >= 0) {
            clearCloseOnExec(lock, cmd, p);
        }
        for (int fd : openDescriptors(cmd)) {
            if (fd >= 3 && fd != lock) {
                check(Libc.Processes.posix_spawn_file_actions_addclose(actions, fd), cmd,
                        "posix_spawn_file_actions_addclose", p);
            }
        }
    }

    static void exec(Spawn.Request request) throws SpawnException {
        exec(request, Set.of(), false);
    }

    /**
     * @param request        what to run
     * @param keepIgnored    ignored signals left ignored (any other ignored one is reset to its default)
     * @param procFdFallback mark the descriptors close-on-exec by listing {@code /proc/self/fd} even when
     *                       {@code close_range} is available (for tests of the fallback)
     * @throws SpawnException when it cannot be executed
     */
    static void exec(Spawn.Request request, Set<Integer> keepIgnored, boolean procFdFallback)
            throws SpawnException {
        for (Spawn.Stream s : List.of(request.stdin(), request.stdout(), request.stderr())) {
            if (!(s instanceof Spawn.Inherit)) {
                throw new IllegalArgumentException("exec keeps this process's streams: " + s + " is not possible");
            }
        }
        if (request.newSession()) {
            throw new IllegalArgumentException("exec keeps this process's session");
        }
        Platform p = require();
        Platform.Spawning s = p.spawning().orElseThrow();
        String cmd = request.argv().get(0);
        byte[] file = CStrings.bytes(cmd, "command");
        int lock = lockFd(request, p, cmd);
        try (Memory argv = CStrings.array(request.argv(), "argument");
             Memory envp = CStrings.array(environment(request.env()), "environment");
             Memory emptySet = new Memory(s.sigsetBytes());
             Memory oldSet = new Memory(s.sigsetBytes());
             Memory defaultAction = new Memory(s.sigactionBytes());
             Memory current = new Memory(s.sigactionBytes())) {
            emptySet.clear();
            oldSet.clear();
            defaultAction.clear(); // empty sa_mask, no flags
            defaultAction.setLong(0, Platform.Spawning.SIG_DFL); // sa_handler
            checkMinusOne(Libc.Processes.sigemptyset(emptySet), cmd, "sigemptyset", p);

            closeOnExecFrom3(lock, procFdFallback, cmd, p);
            if (lock >= 0) {
                clearCloseOnExec(lock, cmd, p);
            }

            check(Libc.Processes.pthread_sigmask(s.sigSetmask(), emptySet, oldSet), cmd, "pthread_sigmask", p);
            Map<Integer, Memory> ignored = new LinkedHashMap<>();
            try {
                for (int sig = 1; sig <= s.lastSignal(); sig++) {
                    if (!s.isChangeableSignal(sig) || (keepIgnored.contains(sig) && sig != 32 && sig != 33)) {
                        continue;
                    }
                    current.clear();
                    if (rtSigaction(p, sig, null, current) != 0) {
                        continue;
                    }
                    if (Pointer.nativeValue(current.getPointer(0)) == Platform.Spawning.SIG_IGN) {
                        Memory saved = new Memory(s.sigactionBytes());
                        saved.write(0, current.getByteArray(0, s.sigactionBytes()), 0, s.sigactionBytes());
                        if (rtSigaction(p, sig, defaultAction, null) == 0) {
                            ignored.put(sig, saved);
                        } else {
                            saved.close();
                        }
                    }
                }
                Libc.Processes.execvpe(file, argv, envp);
                int errno = Libc.errno();
                throw failure(cmd, reasonForExec(errno, p), "execvp", errno, p);
            } finally {
                // only reached when exec failed: this JVM goes on, as it was
                for (Map.Entry<Integer, Memory> e : ignored.entrySet()) {
                    rtSigaction(p, e.getKey(), e.getValue(), null);
                    e.getValue().close();
                }
                Libc.Processes.pthread_sigmask(s.sigSetmask(), oldSet, null);
            }
        }
    }

    /**
     * Sets a signal's disposition in this process to {@code SIG_IGN}.
     *
     * @param signal the signal
     * @throws IOException when it cannot be changed
     */
    static void ignore(int signal) throws IOException {
        Platform p = require();
        Platform.Spawning s = p.spawning().orElseThrow();
        if (!s.isChangeableSignal(signal)) {
            throw new IllegalArgumentException("signal " + signal + " cannot be ignored");
        }
        try (Memory ignoreAction = new Memory(s.sigactionBytes())) {
            ignoreAction.clear(); // empty sa_mask, no flags
            ignoreAction.setLong(0, Platform.Spawning.SIG_IGN);
            if (rtSigaction(p, signal, ignoreAction, null) != 0) {
                int errno = Libc.errno();
                throw new IOException("rt_sigaction(SIG" + Signals.name(signal) + ", SIG_IGN): "
                        + p.errno().name(errno) + " (" + describe(errno) + ")");
            }
        }
    }

    /** @see Spawn#unignore(int) */
    static boolean unignore(int signal) throws IOException {
        Platform p = require();
        Platform.Spawning s = p.spawning().orElseThrow();
        if (!s.isChangeableSignal(signal)) {
            throw new IllegalArgumentException("signal " + signal + " cannot be changed");
        }
        try (Memory current = new Memory(s.sigactionBytes());
             Memory defaultAction = new Memory(s.sigactionBytes())) {
            current.clear();
            if (rtSigaction(p, signal, null, current) != 0) {
                int errno = Libc.errno();
                throw new IOException("rt_sigaction(SIG" + Signals.name(signal) + "): " + p.errno().name(errno)
                        + " (" + describe(errno) + ")");
            }
            if (Pointer.nativeValue(current.getPointer(0)) != Platform.Spawning.SIG_IGN) {
                return false;
            }
            defaultAction.clear(); // empty sa_mask, no flags
            defaultAction.setLong(0, Platform.Spawning.SIG_DFL);
            if (rtSigaction(p, signal, defaultAction, null) != 0) {
                int errno = Libc.errno();
                throw new IOException("rt_sigaction(SIG" + Signals.name(signal) + ", SIG_DFL): "
                        + p.errno().name(errno) + " (" + describe(errno) + ")");
            }
            return true;
        }
    }

    /**
     * The {@code rt_sigaction} syscall itself: glibc's {@code sigaction} refuses signals 32 and 33, which it
     * keeps for itself, yet a process started by glibc's {@code posix_spawn} has 32 (and 33) ignored, so a JVM
     * started by another JVM's {@code ProcessBuilder} has; ignored signals survive exec. The kernel's
     * {@code struct sigaction} has the handler first; an all-zero one is SIG_DFL with no flags and no mask.
     *
     * @return 0, or -1 with errno set
     */
    private static int rtSigaction(Platform p, int sig, Pointer act, Pointer oldact) {
        if (Libc.Processes.SYSCALL == null) {
            return -1;
        }
        return Libc.Processes.SYSCALL.invokeInt(new Object[] {(long) p.spawning().orElseThrow().sysRtSigaction(), sig, act, oldact,
            Platform.Spawning.KERNEL_SIGSET_BYTES});
    }

    /** {@code close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)}, else the same by listing {@code /proc/self/fd}. */
    private static void closeOnExecFrom3(int lock, boolean procFdFallback, String cmd, Platform p)
            throws SpawnException {
        if (!procFdFallback) {
            int rc = -1;
            if (Libc.Processes.CLOSE_RANGE != null) {
                rc = Libc.Processes.CLOSE_RANGE.invokeInt(new Object[] {3, -1, p.spawning().orElseThrow().closeRangeCloexec()});
            } else if (Libc.Processes.SYSCALL != null) {
                rc = Libc.Processes.SYSCALL.invokeInt(new Object[] {(long) p.spawning().orElseThrow().sysCloseRange(), 3, -1,
                    p.spawning().orElseThrow().closeRangeCloexec()});
            }
            if (rc == 0) {
                return;
            }
            // ENOSYS (kernel before 5.9) or EINVAL (CLOSE_RANGE_CLOEXEC before 5.11): list them instead
        }
        for (int fd : openDescriptors(cmd)) {
            if (fd >= 3 && fd != lock) {
                int flags = Libc.fcntl(fd, p.fcntl().getfd(), 0);
                if (flags >= 0 && (flags & p.fcntl().fdCloexec()) == 0) {
                    Libc.fcntl(fd, p.fcntl().setfd(), flags | p.fcntl().fdCloexec()); // EBADF: closed meanwhile, fine
                }
            }
        }
    }

    /** Sets {@code FD_CLOEXEC} on a descriptor this JVM was given across exec. */
    static void setCloseOnExec(int fd) throws SpawnException {
        Platform p = require();
        String what = "descriptor " + fd;
        int flags = Libc.fcntl(fd, p.fcntl().getfd(), 0);
        if (flags < 0) {
            int errno = Libc.errno();
            throw failure(what, "cannot read its flags", "fcntl(F_GETFD)", errno, p);
        }
        if ((flags & p.fcntl().fdCloexec()) == 0
                && Libc.fcntl(fd, p.fcntl().setfd(), flags | p.fcntl().fdCloexec()) != 0) {
            int errno = Libc.errno();
            throw failure(what, "cannot mark it close-on-exec", "fcntl(F_SETFD)", errno, p);
        }
    }

    /** Closes a descriptor this JVM was given across exec. */
    static void close(int fd) throws SpawnException {
        Platform p = require();
        if (Libc.close(fd) != 0) {
            int errno = Libc.errno();
            throw failure("descriptor " + fd, "cannot close it", "close", errno, p);
        }
    }

    private static void clearCloseOnExec(int fd, String cmd, Platform p) throws SpawnException {
        int flags = Libc.fcntl(fd, p.fcntl().getfd(), 0);
        if (flags < 0) {
            int errno = Libc.errno();
            throw failure(cmd, "cannot pass lock descriptor " + fd, "fcntl(F_GETFD)", errno, p);
        }
        if ((flags & p.fcntl().fdCloexec()) != 0 && Libc.fcntl(fd, p.fcntl().setfd(), flags & ~p.fcntl().fdCloexec()) != 0) {
            int errno = Libc.errno();
            throw failure(cmd, "cannot pass lock descriptor " + fd, "fcntl(F_SETFD)", errno, p);
        }
    }

    /** @return the descriptors listed in {@code /proc/self/fd} (the listing's own one included) */
    private static List<Integer> openDescriptors(String cmd) throws SpawnException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : dir) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new SpawnException(cmd + ": cannot list this process's descriptors (/proc/self/fd: " + e + ")",
                    "EIO");
        }
        return fds;
    }

    /**
     * @return the lock descriptor, -1 when none
     * @throws SpawnException when it is not open
     */
    private static int lockFd(Spawn.Request request, Platform p, String cmd) throws SpawnException {
        if (request.lockFd().isEmpty()) {
            return -1;
        }
        int fd = request.lockFd().getAsInt();
        if (fd < 3) {
            throw new IllegalArgumentException("lock descriptor " + fd + " would replace stdin, stdout or stderr");
        }
        if (Libc.fcntl(fd, p.fcntl().getfd(), 0) < 0) {
            int errno = Libc.errno();
            throw failure(cmd, "cannot pass lock descriptor " + fd, "fcntl(F_GETFD)", errno, p);
        }
        return fd;
    }

    /**
     * Opens a redirected stream in the JVM, close-on-exec and numbered 3 or higher (so that the
     * {@code dup2} onto 0, 1 or 2 never hits itself).
     *
     * @return the descriptor, -1 for {@link Spawn.Inherit}
     */
    private static int openStream(Spawn.Stream stream, int target, String label, String cmd, Platform p)
            throws SpawnException {
        String path;
        int flags;
        if (stream instanceof Spawn.Inherit) {
            return -1;
        } else if (stream instanceof Spawn.DevNull) {
            path = DEV_NULL;
            flags = target == 0 ? p.openFlags().rdonly() : p.openFlags().wronly();
        } else {
            path = ((Spawn.AppendTo) stream).file().toString();
            flags = p.openFlags().wronly() | p.openFlags().creat() | p.openFlags().append();
        }
        int fd = Libc.open(CStrings.bytes(path, label + " file"), flags | p.openFlags().cloexec(), 0644);
        if (fd < 0) {
            int errno = Libc.errno();
            throw failure(path, lowerFirst(describe(errno)), "open for the " + label + " of " + cmd, errno,
                    p);
        }
        if (fd < 3) {
            int high = Libc.fcntl(fd, p.fcntl().dupfdCloexec(), 3);
            int errno = Libc.errno();
            Libc.close(fd);
            if (high < 0) {
                throw failure(path, lowerFirst(describe(errno)), "fcntl(F_DUPFD_CLOEXEC)", errno, p);
            }
            fd = high;
        }
        return fd;
    }

    private static List<String> environment(Map<String, String> env) {
        List<String> out = new ArrayList<>(env.size());
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0) {
                throw new IllegalArgumentException("not an environment variable name: \"" + e.getKey() + "\"");
            }
            out.add(e.getKey() + "=" + e.getValue());
        }
        return out;
    }

    static int waitFor(long pid) throws IOException {
        Platform p = require();
        int ipid = pid(pid);
        int[] status = new int[1];
        while (true) {
            int rc = Libc.Processes.waitpid(ipid, status, 0);
            if (rc == ipid) {
                int s = status[0];
                int termsig = s & 0x7f;
                if (termsig == 0) {
                    return (s >> 8) & 0xff; // WIFEXITED: WEXITSTATUS
                }
                if (termsig != 0x7f) {
                    return 128 + termsig; // WIFSIGNALED: WTERMSIG
                }
                continue; // stopped (not asked for with options 0): wait on
            }
            int errno = Libc.errno();
            if (rc < 0 && errno == p.errno().eintr()) {
                continue;
            }
            throw new IOException("waitpid(" + pid + "): " + p.errno().name(errno) + " (" + describe(errno)
                    + ")");
        }
    }

    static boolean kill(long pid, int signal) throws IOException {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        int ipid = pid(pid);
        if (signal < 0 || signal > Signals.LAST) {
            throw new IllegalArgumentException("no signal number " + signal);
        }
        Platform p = require();
        if (Libc.Processes.kill(ipid, signal) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == p.errno().esrch()) {
            return false;
        }
        String sig = signal == 0 ? "0" : "SIG" + Signals.name(signal);
        throw new IOException("kill(" + pid + ", " + sig + "): " + p.errno().name(errno) + " ("
                + describe(errno) + ")");
    }

    static boolean exists(long pid) throws IOException {
        int ipid = pid(pid);
        Platform p = require();
        if (Libc.Processes.kill(ipid, 0) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == p.errno().esrch()) {
            return false;
        }
        if ("EPERM".equals(p.errno().name(errno))) {
            return true; // there is a process, this one may not signal it
        }
        throw new IOException("kill(" + pid + ", 0): " + p.errno().name(errno) + " (" + describe(errno) + ")");
    }

    private static int pid(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a process id: " + pid);
        }
        return (int) pid;
    }

    private static String reasonForExec(int errno, Platform p) {
        if (errno == p.errno().enoent()) {
            return "command not found";
        }
        if (errno == p.errno().eacces()) {
            return "permission denied";
        }
        return lowerFirst(describe(errno));
    }

    /**
     * @param errno an errno value
     * @return its text, for example {@code No such file or directory}
     */
    private static String describe(int errno) {
        String reason = Errors.reason(errno);
        return reason != null ? reason : "errno " + errno;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }

    /** For the {@code posix_spawn*} functions and {@code pthread_sigmask}, which return the errno. */
    private static void check(int rc, String cmd, String call, Platform p) throws SpawnException {
        if (rc != 0) {
            throw failure(cmd, lowerFirst(describe(rc)), call, rc, p);
        }
    }

    /** For functions that return -1 and set errno. */
    private static void checkMinusOne(int rc, String cmd, String call, Platform p) throws SpawnException {
        if (rc != 0) {
            int errno = Libc.errno();
            throw failure(cmd, lowerFirst(describe(errno)), call, errno, p);
        }
    }

    /** @return {@code subject: reason (call: ERRNO)}, one line */
    private static SpawnException failure(String subject, String reason, String call, int errno, Platform p) {
        String name = p.errno().name(errno);
        return new SpawnException(subject + ": " + reason + " (" + call + ": " + name + ")", name);
    }
}
