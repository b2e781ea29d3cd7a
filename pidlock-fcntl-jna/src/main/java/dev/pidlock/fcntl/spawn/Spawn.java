package dev.pidlock.fcntl.spawn;

import dev.pidlock.fcntl.libc.Libc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.OptionalInt;

/**
 * Starts a command the way the {@code pidlock} command needs and {@link ProcessBuilder} cannot: with the
 * locked descriptor left open in it (so the command holds the lock for its whole life), with no other
 * descriptor of the JVM, default signal dispositions and an empty signal mask, optionally in its own session.
 * Through {@code posix_spawn(3)} (and {@code execve(2)} for {@code --no-fork}), bound with JNA.
 */
public final class Spawn {

    /** Where one of the command's standard streams goes. */
    public sealed interface Stream permits Inherit, DevNull, AppendTo {
    }

    /** The same as the JVM's. */
    public record Inherit() implements Stream {
    }

    /** {@code /dev/null}. */
    public record DevNull() implements Stream {
    }

    /**
     * A file, opened for appending (created 0644 when absent).
     *
     * @param file the file
     */
    public record AppendTo(Path file) implements Stream {
    }

    /**
     * What to start.
     *
     * @param argv       the command and its arguments; {@code argv[0]} is looked up in {@code PATH}
     * @param env        its environment
     * @param lockFd     the descriptor to pass: it keeps its number in the command and stays open across exec
     * @param stdin      where its stdin comes from
     * @param stdout     where its stdout goes
     * @param stderr     where its stderr goes
     * @param newSession whether it starts its own session ({@code setsid}): detached from the terminal
     */
    public record Request(List<String> argv, Map<String, String> env, OptionalInt lockFd, Stream stdin,
                          Stream stdout, Stream stderr, boolean newSession) {
        public Request {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
            Objects.requireNonNull(lockFd, "lockFd");
            if (argv.isEmpty()) {
                throw new IllegalArgumentException("no command");
            }
        }
    }

    private Spawn() {
    }

    /**
     * Binds the C library's process calls now instead of at the first {@link #spawn}: JNA's registration
     * costs milliseconds that a program may rather spend on another thread while it starts up.
     *
     * @throws LinkageError when the C library cannot be bound
     */
    public static void bind() {
        Libc.Processes.bind();
    }

    /**
     * Starts the command.
     *
     * @param request what to start
     * @return its pid
     * @throws SpawnException when it cannot be started (not found: errno ENOENT, not executable: EACCES, …)
     */
    public static long spawn(Request request) throws SpawnException {
        return PosixSpawn.spawn(request);
    }

    /**
     * Starts the command with some ignored signals kept ignored, optionally in a process group of its own.
     *
     * @param request     what to start
     * @param keepIgnored signals that, when this JVM ignores them, stay ignored in the command (as across a
     *                    plain exec); every other signal starts at its default. glibc's internal 32 and 33 are
     *                    always reset.
     * @param ownGroup    whether it gets a process group of its own ({@code setpgid(0, 0)} in the child)
     * @return its pid
     * @throws SpawnException when it cannot be started
     */
    public static long spawn(Request request, Set<Integer> keepIgnored, boolean ownGroup) throws SpawnException {
        return PosixSpawn.spawn(request, Set.copyOf(keepIgnored), ownGroup, false);
    }

    /**
     * Replaces this JVM with the command, keeping some ignored signals ignored.
     *
     * @param request     what to run, as for {@link #exec(Request)}
     * @param keepIgnored signals left ignored when this JVM ignores them; other ignored signals are reset
     * @throws SpawnException when it cannot be executed
     */
    public static void exec(Request request, Set<Integer> keepIgnored) throws SpawnException {
        PosixSpawn.exec(request, Set.copyOf(keepIgnored), false);
    }

    /**
     * Ignores a signal in this process ({@code SIG_IGN} through {@code rt_sigaction}), for a signal the JVM
     * would otherwise act on in a way a wrapper must not (SIGQUIT: a thread dump on stdout).
     *
     * @param signal the signal number
     * @throws IOException when it cannot be changed
     */
    public static void ignore(int signal) throws IOException {
        PosixSpawn.ignore(signal);
    }

    /**
     * Gives an ignored signal back its default action ({@code SIG_DFL} through {@code rt_sigaction}): the JVM
     * installs no handler on SIGHUP, SIGINT or SIGTERM while it is ignored, so a handler wanted anyway (a daemon's
     * reload signal under {@code nohup}, or kept ignored across its reload's exec) needs this first.
     *
     * @param signal the signal number
     * @return whether it was ignored (and is now at its default)
     * @throws IOException when it cannot be read or changed
     */
    public static boolean unignore(int signal) throws IOException {
        return PosixSpawn.unignore(signal);
    }

    /**
     * Replaces this JVM with the command ({@code execve}), as {@code flock --no-fork} does. Returns only when
     * that fails.
     *
     * @param request what to run; its streams must be {@link Inherit} and it runs in this session
     * @throws SpawnException when it cannot be executed
     */
    public static void exec(Request request) throws SpawnException {
        PosixSpawn.exec(request);
    }

    /**
     * Waits for a child started by {@link #spawn} to end ({@code waitpid}), blocking this thread.
     *
     * @param pid the child
     * @return its exit status, or 128 + N when signal N killed it
     * @throws IOException when waiting fails
     */
    public static int waitFor(long pid) throws IOException {
        return PosixSpawn.waitFor(pid);
    }

    /**
     * Sends a signal ({@code kill(2)}).
     *
     * @param pid    the process
     * @param signal the signal number
     * @return true when sent; false when no such process (ESRCH)
     * @throws IOException on any other failure (EPERM, …)
     */
    public static boolean kill(long pid, int signal) throws IOException {
        return PosixSpawn.kill(pid, signal);
    }

    /**
     * Whether a process has the pid ({@code kill(pid, 0)}), also one that this process may not signal (EPERM)
     * and may not see in {@code /proc} ({@code hidepid}): a pid that is not in {@code /proc} is not
     * necessarily free.
     *
     * @param pid the process
     * @return true when kill finds it (success or EPERM); false when no process has the pid (ESRCH)
     * @throws IOException on any other failure
     */
    public static boolean exists(long pid) throws IOException {
        return PosixSpawn.exists(pid);
    }

    /**
     * Marks a descriptor this JVM received across {@code exec} (a lock handed on by {@link #exec}) close-on-exec,
     * so that it reaches no command this JVM starts later.
     *
     * @param fd the descriptor
     * @throws SpawnException when its flags cannot be read or changed (EBADF: not open)
     */
    public static void setCloseOnExec(int fd) throws SpawnException {
        PosixSpawn.setCloseOnExec(fd);
    }

    /**
     * Closes a descriptor this JVM received across {@code exec}: for a lock held through it, the lock goes
     * with the last descriptor of its open file description.
     *
     * @param fd the descriptor
     * @throws SpawnException when it cannot be closed
     */
    public static void closeDescriptor(int fd) throws SpawnException {
        PosixSpawn.close(fd);
    }

    /**
     * @param name a signal's name with or without {@code SIG} (for example {@code TERM}), or its number
     * @return its number on this platform
     * @throws IllegalArgumentException when unknown
     */
    public static int signalNumber(String name) {
        return Signals.number(name);
    }

    /**
     * @param number a signal number
     * @return its name without {@code SIG}, or the number as text
     */
    public static String signalName(int number) {
        return Signals.name(number);
    }
}
