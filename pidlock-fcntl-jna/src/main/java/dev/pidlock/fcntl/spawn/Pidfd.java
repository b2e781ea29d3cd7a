package dev.pidlock.fcntl.spawn;

import dev.pidlock.fcntl.libc.Errors;
import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A process descriptor ({@code pidfd_open(2)}, Linux 5.3 and later): a handle on one process that a recycled
 * pid cannot redirect. A signal sent through it ({@code pidfd_send_signal(2)}) reaches that process or
 * nothing, so a caller verifies the process <em>after</em> opening its pidfd and then signals through it:
 * if the process was still alive when the signal was sent, it was alive during the verification too, so
 * the verification looked at it and not at a successor with the same pid. It is readable ({@code POLLIN})
 * once the process has exited, after its descriptors were closed (and its locks released).
 */
public final class Pidfd implements AutoCloseable {

    /** The kernel (or the C library's {@code syscall}) has no pidfd: {@code ENOSYS}, or no binding here. */
    public static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message);
        }
    }

    private final long pid;
    private int fd;

    private Pidfd(long pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * Opens a process descriptor.
     *
     * @param pid a process (a thread group leader)
     * @return its descriptor; empty when no process has the pid
     * @throws UnavailableException when pidfds do not exist here (kernel before 5.3: ENOSYS)
     * @throws IOException          on any other failure, naming the call and the errno
     */
    public static Optional<Pidfd> open(long pid) throws IOException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a process id: " + pid);
        }
        Platform p = platform();
        int rc = Libc.Processes.SYSCALL.invokeInt(new Object[] {(long) p.spawning().orElseThrow().sysPidfdOpen(),
            (int) pid, 0});
        if (rc >= 0) {
            return Optional.of(new Pidfd(pid, rc));
        }
        int errno = Libc.errno();
        if (errno == p.errno().esrch()) {
            return Optional.empty();
        }
        if ("ENOSYS".equals(p.errno().name(errno))) {
            throw unavailable();
        }
        throw failure("pidfd_open(" + pid + ")", errno, p);
    }

    /**
     * Whether this system has pidfds: opens one on this process.
     *
     * @return true when {@link #open} can work
     */
    public static boolean available() {
        try {
            Optional<Pidfd> self = open(ProcessHandle.current().pid());
            self.ifPresent(Pidfd::close);
            return self.isPresent();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return the pid it was opened for */
    public long pid() {
        return pid;
    }

    /**
     * Sends a signal to the process ({@code pidfd_send_signal(pidfd, sig, NULL, 0)}).
     *
     * @param signal the signal number
     * @return true when sent (a zombie accepts it and ignores it); false when the process is gone (ESRCH)
     * @throws IOException on any other failure (EPERM, …)
     */
    public boolean signal(int signal) throws IOException {
        if (signal < 1 || signal > Signals.LAST) {
            throw new IllegalArgumentException("no signal number " + signal);
        }
        Platform p = platform();
        int rc = Libc.Processes.SYSCALL.invokeInt(new Object[] {
            (long) p.spawning().orElseThrow().sysPidfdSendSignal(), descriptor(), signal, null, 0});
        if (rc == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == p.errno().esrch()) {
            return false;
        }
        if ("ENOSYS".equals(p.errno().name(errno))) {
            throw unavailable();
        }
        throw failure("pidfd_send_signal(" + pid + ", SIG" + Signals.name(signal) + ")", errno, p);
    }

    /**
     * @return whether the process has exited (its pidfd is readable): it holds no descriptor and no lock any more
     * @throws IOException when {@code poll} fails
     */
    public boolean exited() throws IOException {
        return awaitExit(List.of(this), Duration.ZERO);
    }

    /**
     * Waits until one of the processes has exited, or the time is up ({@code poll(2)}).
     *
     * @param pidfds  the processes
     * @param timeout at most how long to wait (rounded down to milliseconds)
     * @return whether one of them has exited
     * @throws IOException when {@code poll} fails other than by EINTR
     */
    public static boolean awaitExit(List<Pidfd> pidfds, Duration timeout) throws IOException {
        if (pidfds.isEmpty()) {
            return false;
        }
        Platform p = platform();
        Platform.Spawning s = p.spawning().orElseThrow();
        ByteBuffer fds = ByteBuffer.allocate(pidfds.size() * Platform.Spawning.POLLFD_BYTES)
                .order(ByteOrder.nativeOrder());
        for (int i = 0; i < pidfds.size(); i++) {
            int at = i * Platform.Spawning.POLLFD_BYTES;
            fds.putInt(at, pidfds.get(i).descriptor());
            fds.putShort(at + Platform.Spawning.POLLFD_EVENTS, (short) s.pollIn());
        }
        long millis = Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
        int rc = Libc.Processes.poll(fds.array(), pidfds.size(), (int) millis);
        if (rc >= 0) {
            return rc > 0;
        }
        int errno = Libc.errno();
        if (errno == p.errno().eintr()) {
            return false;
        }
        throw failure("poll(pidfd)", errno, p);
    }

    private int descriptor() {
        if (fd < 0) {
            throw new IllegalStateException("closed");
        }
        return fd;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            Libc.close(fd);
            fd = -1;
        }
    }

    private static Platform platform() throws UnavailableException {
        Optional<Platform> p = PosixSpawn.platform();
        if (p.isEmpty() || Libc.Processes.SYSCALL == null) {
            throw new UnavailableException("process descriptors (pidfd) are not supported on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        }
        return p.get();
    }

    private static UnavailableException unavailable() {
        return new UnavailableException("this kernel has no process descriptors (pidfd_open: ENOSYS; Linux 5.3 or"
                + " later needed)");
    }

    private static IOException failure(String call, int errno, Platform p) {
        String reason = Errors.reason(errno);
        return new IOException(call + ": " + p.errno().name(errno) + " (" + (reason != null ? reason : "errno "
                + errno) + ")");
    }
}
