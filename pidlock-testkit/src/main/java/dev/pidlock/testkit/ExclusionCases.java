package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exclusion across processes: two processes never both hold; a holder that exits, is signalled or dies gives the
 * lock up; release happens once and never deletes a file that is not ours; and, where the backend declares it,
 * {@code flock(1)} and {@code fcntl} lockers are excluded both ways.
 *
 * @since 0.1
 */
public abstract class ExclusionCases extends ContractCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected ExclusionCases() {
    }

    /**
     * While a child holds the lock, neither another child nor this JVM can take it; once it releases, they can.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void twoProcessesNeverBothHold() throws IOException {
        ChildProcess a = holder();
        assertEquals(a.pid() + "\n", content());

        ChildProcess b = child();
        String refused = b.nextLine();
        assertTrue(refused.startsWith("CONFLICT locked " + a.pid() + " "), refused);

        AlreadyLockedException here = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(a.pid(), here.holderPid().orElseThrow());
        assertFalse(here.heldByThisProcess());
        assertTrue(here.getMessage().contains(pidfile.toString()), here.getMessage());
        assertTrue(lock().tryAcquire().isEmpty());

        a.send("release");
        a.expect("RELEASED");
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "release must delete the pidfile");
        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
            ChildProcess c = child();
            String line = c.nextLine();
            assertTrue(line.startsWith("CONFLICT locked " + ProcessHandle.current().pid() + " "), line);
        }
    }

    /**
     * A holder that dies without its shutdown hooks (SIGKILL, {@code Runtime.halt}) leaves its pidfile
     * behind, but the lock is free at once: the next acquirer takes the stale file over without waiting.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void holderThatDiesWithoutReleasingIsReplacedAtOnce() throws IOException {
        requires(Capability.RELEASED_ON_PROCESS_DEATH,
                "the lock of a dead holder is not freed by the kernel, so it cannot be taken over at once");
        Path halted = dir.resolve("halted.pid");
        ChildProcess a = holder();
        ChildProcess b = childAt(halted);
        a.kill();
        assertEquals(a.pid() + "\n", content(), "SIGKILL leaves the file with the dead pid");
        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.STALE, status.state(), status.toString());
        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }

        assertEquals("ACQUIRED " + b.pid(), b.nextLine(), b::stderr);
        b.send("halt 0");
        assertEquals(0, b.waitFor());
        assertEquals(b.pid() + "\n", run("cat", halted.toString()), "halt runs no shutdown hook and leaves the file");
        try (PidLock mine = PidLock.at(halted).backend(backendId()).acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", run("cat", halted.toString()));
        }
    }

    /**
     * A child that exits normally, or on SIGTERM, SIGINT or SIGHUP, releases through the shutdown hook and
     * removes its file (one file per way, so that the children can start side by side). A signal the child
     * inherited as ignored (a background job's SIGINT, {@code nohup}'s SIGHUP) stays ignored in a JVM; it is
     * left out, and the case is skipped at the end saying so.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void normalExitAndSignalsReleaseAndDelete() throws IOException {
        Map<String, Integer> signals = new LinkedHashMap<>();
        signals.put("TERM", 15);
        signals.put("INT", 2);
        signals.put("HUP", 1);
        Path exitFile = dir.resolve("exit.pid");
        ChildProcess exiting = childAt(exitFile);
        Map<String, ChildProcess> signalled = new LinkedHashMap<>();
        for (String signal : signals.keySet()) {
            signalled.put(signal, childAt(dir.resolve(signal + ".pid")));
        }

        exiting.expect("ACQUIRED ");
        exiting.send("exit 0");
        assertEquals(0, exiting.waitFor());
        assertFalse(Files.exists(exitFile, LinkOption.NOFOLLOW_LINKS), "exit must delete the pidfile");

        List<String> ignored = new ArrayList<>();
        for (Map.Entry<String, ChildProcess> e : signalled.entrySet()) {
            String signal = e.getKey();
            ChildProcess b = e.getValue();
            Path file = dir.resolve(signal + ".pid");
            b.expect("ACQUIRED ");
            if (ignoresSignal(b.pid(), signals.get(signal))) {
                ignored.add("SIG" + signal);
                continue;
            }
            b.signal(signal);
            b.waitFor();
            assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS), "SIG" + signal + " must delete the pidfile");
            try (PidLock mine = PidLock.at(file).backend(backendId()).acquire()) {
                assertTrue(mine.isHeld(), "free after SIG" + signal);
            }
        }
        skipUnless(ignored.isEmpty(), "the child JVMs inherited " + ignored + " as ignored, so those were not sent"
                + " (the others passed)");
    }

    /** @return whether {@code /proc} says process {@code pid} ignores signal number {@code signo} */
    private static boolean ignoresSignal(long pid, int signo) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (signo - 1))) != 0;
            }
        }
        return false;
    }

    /**
     * Releasing twice, or closing after the shutdown hook ran, does nothing the second time.
     */
    @Test
    void releaseHappensExactlyOnce() {
        PidLock mine = lock().acquire();
        assertTrue(mine.isHeld());
        mine.close();
        assertFalse(mine.isHeld());
        mine.close();
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
        try (PidLock again = lock().acquire()) {
            assertTrue(again.isHeld());
        }
    }

    /**
     * Release deletes the pidfile only while the path still names the file it locked: a file somebody put in
     * its place meanwhile is left alone.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void releaseLeavesAFileThatReplacedOurs() throws IOException {
        PidLock mine = closeAfterwards(lock().acquire());
        Path other = dir.resolve("other.tmp");
        Files.writeString(other, "someone else's\n");
        Files.move(other, pidfile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        mine.close();
        assertFalse(mine.isHeld());
        assertEquals("someone else's\n", content(), "release deleted or changed a file that was not its own");
    }

    /**
     * {@code acquireOrExit} prints one line naming the holder's pid to stderr and exits with status 1.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void acquireOrExitPrintsOneLineAndExitsOne() throws IOException {
        ChildProcess a = holder();
        ChildProcess b = child("or-exit");
        assertEquals(1, b.waitFor());
        String err = b.stderr().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(Long.toString(a.pid())), err);
    }

    // ---- interop with independent lockers ----

    /**
     * Conflicts with {@code flock(2)} users, both ways: while pidlock holds (in a child JVM), util-linux
     * {@code flock --nonblock} is refused; while {@code flock(1)} holds, pidlock is refused. Once released,
     * each gets the file, so the refusals were the lock's doing.
     *
     * @throws IOException when a process cannot start
     */
    @Test
    void flockUsersAreExcludedBothWays() throws IOException {
        requires(Capability.CONFLICTS_WITH_FLOCK, "flock(2) locks and this backend's locks do not exclude each"
                + " other");
        requiresCommand("flock", "util-linux flock(1) is the flock(2) peer");
        ChildProcess a = holder();
        assertEquals(3, peerTries(List.of("flock", "--nonblock", "--conflict-exit-code", "3", pidfile.toString(),
                "true")), "flock(1) got the lock while " + backendId() + " held it");
        a.send("release");
        a.expect("RELEASED");
        assertEquals(0, peerTries(List.of("flock", "--nonblock", "--conflict-exit-code", "3", pidfile.toString(),
                "true")), "flock(1) after the release");

        Files.deleteIfExists(pidfile);
        ChildProcess peer = peerHolds(List.of("flock", "--nonblock", "--no-fork", pidfile.toString(), "/bin/sh",
                "-c", "echo HELD; read line || :"));
        assertThrows(AlreadyLockedException.class, () -> lock().acquire(),
                backendId() + " got the lock while flock(1) held it");
        peer.closeStdin();
        assertEquals(0, peer.waitFor(), peer::stderr);
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld(), "after flock(1) released");
        }
    }

    /**
     * Conflicts with POSIX {@code fcntl} users, both ways: while pidlock holds (in a child JVM), Python's
     * {@code fcntl.lockf(LOCK_EX | LOCK_NB)} is refused; while Python holds it, pidlock is refused. Once
     * released, each gets the file.
     *
     * @throws IOException when a process cannot start
     */
    @Test
    void fcntlUsersAreExcludedBothWays() throws IOException {
        requires(Capability.CONFLICTS_WITH_FCNTL, "POSIX fcntl locks and this backend's locks do not exclude each"
                + " other");
        requiresCommand("python3", "python3's fcntl.lockf is the POSIX fcntl peer");
        ChildProcess a = holder();
        assertEquals(1, peerTries(pythonLockf(false)), "python lockf got the lock while " + backendId() + " held it");
        a.send("release");
        a.expect("RELEASED");
        assertEquals(0, peerTries(pythonLockf(false)), "python lockf after the release");

        Files.deleteIfExists(pidfile);
        ChildProcess peer = peerHolds(pythonLockf(true));
        assertThrows(AlreadyLockedException.class, () -> lock().acquire(),
                backendId() + " got the lock while python lockf held it");
        peer.closeStdin();
        assertEquals(0, peer.waitFor(), peer::stderr);
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld(), "after python lockf released");
        }
    }

    /**
     * A backend of one lock family ({@code flock}, or {@code fcntl}: it excludes the users of one and not the
     * other) is refused while the other family holds the file, although the kernel would grant both: the
     * backend looks for the other family's lock in the kernel's lock table after taking its own. The holder here
     * is {@code flock(1)} for an {@code fcntl}-family backend and Python's {@code fcntl.lockf} for a
     * {@code flock}-family one; the refusal names it. Skipped for a backend of both families or of neither, and
     * where {@code /proc/locks} is missing.
     *
     * @throws IOException when a process cannot start
     * @since 0.2
     */
    @Test
    void aHolderOfTheOtherLockFamilyKeepsItOut() throws IOException {
        boolean flockFamily = capabilities().contains(Capability.CONFLICTS_WITH_FLOCK);
        boolean fcntlFamily = capabilities().contains(Capability.CONFLICTS_WITH_FCNTL);
        skipUnless(flockFamily != fcntlFamily, backendId() + " takes locks of both families or of neither");
        skipUnless(Files.isReadable(Path.of("/proc/locks")), "no /proc/locks to look in");
        ChildProcess peer;
        if (fcntlFamily) {
            requiresCommand("flock", "util-linux flock(1) is the flock(2) peer");
            peer = peerHolds(List.of("flock", "--nonblock", "--no-fork", pidfile.toString(), "/bin/sh",
                    "-c", "echo HELD; read line || :"));
        } else {
            requiresCommand("python3", "python3's fcntl.lockf is the POSIX fcntl peer");
            peer = peerHolds(pythonLockf(true));
        }
        AlreadyLockedException refused = assertThrows(AlreadyLockedException.class, () -> lock().acquire(),
                backendId() + " got the lock while the other family held it");
        assertTrue(refused.getMessage().contains(Long.toString(peer.pid())), refused::getMessage);
        peer.closeStdin();
        assertEquals(0, peer.waitFor(), peer::stderr);
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld(), "after the peer released");
        }
    }

    /**
     * A Python {@code lockf} peer: exits 1 when refused; otherwise exits 0 at once, or (holding) prints
     * {@code HELD} and keeps the lock until its stdin ends.
     */
    private List<String> pythonLockf(boolean hold) {
        String script = String.join("\n",
                "import fcntl, os, sys",
                "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)",
                "try:",
                "    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
                "except OSError:",
                "    sys.exit(1)",
                "if sys.argv[2] == 'hold':",
                "    print('HELD', flush=True)",
                "    sys.stdin.readline()",
                "");
        return List.of("python3", "-I", "-c", script, pidfile.toString(), hold ? "hold" : "try");
    }

    /** @return the exit status of a peer that tries once and exits */
    private int peerTries(List<String> command) throws IOException {
        try (ChildProcess p = ChildProcess.start(dir, command)) {
            return p.waitFor();
        }
    }

    /** @return a peer that said {@code HELD}, killed after the test */
    private ChildProcess peerHolds(List<String> command) throws IOException {
        ChildProcess p = closeAfterwards(ChildProcess.start(dir, command));
        p.expect("HELD");
        return p;
    }
}
