package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect()} of a pidfile whose recorded holder the kernel confirms answers without walking every
 * process; the holders it reports are still all of the kernel's, the processes that inherited the locked
 * descriptor among them.
 */
class InspectHoldersTest {
    /** Takes an OFD and a flock lock, writes its pid, forks a child that keeps the descriptor, prints both pids. */
    private static final String HOLDER = String.join("\n",
            "import fcntl, os, struct, sys, time",
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)",
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "fcntl.fcntl(fd, 37, struct.pack('hhxxxxqqixxxx', fcntl.F_WRLCK, 0, 0, 0, 0))",
            "os.write(fd, b'%d\\n' % os.getpid())",
            "child = os.fork()",
            "if child == 0:",
            "    time.sleep(60)",
            "    os._exit(0)",
            "print(os.getpid(), child, flush=True)",
            "sys.stdin.read()",
            "os.kill(child, 9)");

    @TempDir
    Path dir;

    @Test
    void theHoldersOfAConfirmedHolderIncludeTheProcessesThatInheritedTheDescriptor() throws Exception {
        Path pidfile = dir.resolve("inherited.pid");
        Process holder = new ProcessBuilder("python3", "-c", HOLDER, pidfile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String[] pids = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine().trim().split(" ");
            long parent = Long.parseLong(pids[0]);
            long child = Long.parseLong(pids[1]);
            PidFileStatus status = PidLock.at(pidfile).inspect();
            assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
            assertEquals(parent, status.pid().getAsLong(), status.toString());
            assertTrue(status.pidConfirmed(), status.toString());
            assertEquals(List.of(Math.min(parent, child), Math.max(parent, child)), status.holders(),
                    status.toString());
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }
}
