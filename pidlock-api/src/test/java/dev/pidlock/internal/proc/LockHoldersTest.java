package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.internal.proc.LockHolders.Family;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's holders of a lock, with real peers: flock(1), python3's fcntl, a descriptor passed down. */
class LockHoldersTest {

    @TempDir
    Path dir;

    Path file;
    final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/locks")), "no /proc/locks");
        file = Files.createFile(dir.resolve("f.pid"));
    }

    @AfterEach
    void tearDown() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private LockHolders holders() throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        return LockHolders.of(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue())
                .orElseThrow();
    }

    private boolean holds(long pid) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        return LockHolders.holds(pid, ((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    }

    private Process sh(String script) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("gave up waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static long readPid(Path f) {
        try {
            String s = Files.readString(f, StandardCharsets.US_ASCII).strip();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Test
    void anUnlockedFileHasNoHolders() throws IOException {
        LockHolders h = holders();
        assertFalse(h.locked());
        assertEquals(List.of(), h.pids());
        assertTrue(h.complete());
        assertFalse(holds(ProcessHandle.current().pid()));
    }

    /** flock(1) keeps its descriptor and passes it to the command it runs: both hold the lock. */
    @Test
    void flockAndTheCommandItRunsBothHoldTheLock() throws Exception {
        Path child = dir.resolve("child");
        Process flock = sh("exec flock " + file + " sh -c 'echo $$ > " + child + "; exec sleep 30'");
        await("the command under flock", () -> readPid(child) > 0);
        long sleep = readPid(child);
        await("the lock", () -> {
            try {
                return holders().locked();
            } catch (IOException e) {
                return false;
            }
        });
        LockHolders h = holders();
        assertEquals(Set.of(Family.FLOCK), h.families());
        assertEquals(List.of(flock.pid(), sleep), h.pids(), h::toString);
        assertTrue(holds(sleep));
        assertTrue(holds(flock.pid()));
        assertFalse(holds(ProcessHandle.current().pid()));
    }

    private boolean holds(long pid, Path name) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        return LockHolders.holds(pid, ((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                name);
    }

    /**
     * With the pidfile's path, a candidate is confirmed from its own descriptors of that name; one that has the
     * file open without a lock is not a holder; a holder whose descriptor has another name (a hard link) is
     * still found, from the lock table and all its descriptors; and a POSIX holder from the table.
     */
    @Test
    void aCandidateIsConfirmedByItsDescriptorsWhateverTheNameItOpenedTheFileBy() throws Exception {
        Path child = dir.resolve("child");
        Process flock = sh("exec flock " + file + " sh -c 'echo $$ > " + child + "; exec sleep 30'");
        await("the command under flock", () -> readPid(child) > 0);
        long sleep = readPid(child);
        Path other = dir.resolve("other");
        Process open = sh("exec 7<" + file + "; echo $$ > " + other + "; exec sleep 30");
        await("the open without a lock", () -> readPid(other) > 0);
        await("the lock", () -> {
            try {
                return holders().locked();
            } catch (IOException e) {
                return false;
            }
        });
        assertTrue(holds(flock.pid(), file));
        assertTrue(holds(sleep, file));
        assertFalse(holds(open.pid(), file), "an open descriptor without a lock");
        assertFalse(holds(ProcessHandle.current().pid(), file));
        Path link = Files.createLink(dir.resolve("link.pid"), file);
        assertTrue(holds(flock.pid(), link), "found under another name");
        assertFalse(holds(open.pid(), link));
    }

    /** The process that took the lock exits; the child that inherited the descriptor is the holder. */
    @Test
    void aChildThatInheritedTheDescriptorHoldsTheLockAfterItsParentExits() throws Exception {
        Path child = dir.resolve("child");
        Process sh = sh("exec 9>>" + file + "; flock -n 9 || exit 9; sleep 30 & echo $! > " + child + "; exit 0");
        assertEquals(0, sh.waitFor(), "the shell took the lock and exited");
        long sleep = readPid(child);
        assertTrue(sleep > 0);
        LockHolders h = holders();
        assertEquals(List.of(sleep), h.pids(), h::toString);
        assertTrue(h.complete());
        ProcessHandle.of(sleep).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** A POSIX lock (python3's fcntl.lockf) belongs to the process that took it. */
    @Test
    void aPosixLockIsHeldByTheProcessThatTookIt() throws Exception {
        Path ready = dir.resolve("ready");
        Process py = new ProcessBuilder("python3", "-c", "import fcntl, os, sys, time\n"
                + "f = open(sys.argv[1], 'r+')\nfcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "open(sys.argv[2], 'w').write(str(os.getpid()) + '\\n')\ntime.sleep(30)\n",
                file.toString(), ready.toString()).redirectErrorStream(true).start();
        started.add(py);
        await("python's lock", () -> readPid(ready) > 0);
        LockHolders h = holders();
        assertEquals(Set.of(Family.POSIX), h.families());
        assertEquals(List.of(py.pid()), h.pids());
        assertTrue(holds(py.pid()));
    }

    @Test
    void familiesConflictAsTheKernelDecides() {
        assertTrue(Family.OFD.conflictsWith(Family.POSIX));
        assertTrue(Family.POSIX.conflictsWith(Family.OFD));
        assertTrue(Family.FLOCK.conflictsWith(Family.FLOCK));
        assertFalse(Family.FLOCK.conflictsWith(Family.POSIX));
        assertFalse(Family.OFD.conflictsWith(Family.FLOCK));
    }
    /**
     * A FUSE file system that answers INIT and then nothing (a hung sshfs or NFS mount), and a process with a
     * descriptor on it: looking for the holders must not touch that file system. A stat of the descriptor's
     * file (following {@code /proc/PID/fd/N}) would block until the server answers, here for a minute.
     */
    @Test
    void aStuckFileSystemDoesNotStopTheSearch() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")) && "root".equals(System.getProperty("user.name")),
                "needs /dev/fuse and root");
        Path mnt = Files.createDirectory(dir.resolve("stuck"));
        Process server = new ProcessBuilder("python3", "-c", STUCK_FUSE, mnt.toString(), "60")
                .redirectErrorStream(true).start();
        started.add(server);
        BufferedReader out = new BufferedReader(new InputStreamReader(
                server.getInputStream(), StandardCharsets.US_ASCII));
        String first = out.readLine();
        assumeTrue("mounted".equals(first), "could not mount a FUSE file system here: " + first);
        try {
            Path ready = dir.resolve("ready");
            Process pinned = new ProcessBuilder("python3", "-c", "import os, sys, time\n"
                    + "fd = os.open(sys.argv[1], os.O_PATH)\nopen(sys.argv[2], 'w').write('1')\ntime.sleep(60)\n",
                    mnt.toString(), ready.toString()).redirectErrorStream(true).start();
            started.add(pinned);
            await("a descriptor on the stuck mount", () -> Files.exists(ready));
            Path child = dir.resolve("child");
            sh("exec flock " + file + " sh -c 'echo $$ > " + child + "; exec sleep 30'");
            await("the command under flock", () -> readPid(child) > 0);
            CompletableFuture<LockHolders> search = CompletableFuture.supplyAsync(() -> {
                        try {
                            return holders();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            // a liveness check, not a speed check: the stuck server answers nothing for a minute
            LockHolders h = search.get(45, TimeUnit.SECONDS);
            assertTrue(h.pids().contains(readPid(child)), h::toString);
        } finally {
            server.destroy(); // closing /dev/fuse aborts the connection; the script unmounts
            server.waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
        }
    }

    /** Mounts a FUSE file system at argv[1] that answers INIT and then nothing, for argv[2] seconds. */
    private static final String STUCK_FUSE = String.join("\n",
            "import ctypes, os, select, signal, struct, sys, time",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "mnt, hold = sys.argv[1], float(sys.argv[2])",
            "fd = os.open('/dev/fuse', os.O_RDWR)",
            "opts = ('fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other' % fd).encode()",
            "if libc.mount(b'stuck', mnt.encode(), b'fuse.stuck', 0, opts) != 0:",
            "    print('mount failed: errno %d' % ctypes.get_errno(), flush=True); sys.exit(0)",
            "req = os.read(fd, 1 << 20)",
            "length, opcode, unique = struct.unpack('<IIQ', req[:16])",
            "body = struct.pack('<IIIIHHI', 7, 22, 65536, 0, 16, 12, 65536)",
            "os.write(fd, struct.pack('<IiQ', 16 + len(body), 0, unique) + body)",
            "print('mounted', flush=True)",
            "signal.signal(signal.SIGTERM, lambda *a: (os.close(fd), libc.umount2(mnt.encode(), 2), sys.exit(0)))",
            "end = time.time() + hold",
            "while time.time() < end:",
            "    if select.select([fd], [], [], 0.5)[0]:",
            "        os.read(fd, 1 << 20)",
            "os.close(fd)",
            "libc.umount2(mnt.encode(), 2)",
            "");
}
