package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.BackendUnavailableException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidFiles;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One JVM and its own lock: a second acquisition of a held file, through any spelling of its path and from any
 * thread, is refused as held by this process (or counted, when re-entry is allowed) and never drops the lock,
 * whatever the backend's scope. Where the scope is the open file description, closing other descriptors of the
 * file does not drop it either; where the backend can pass its lock across {@code exec}, the descriptor is offered
 * only when asked for.
 *
 * @since 0.1
 */
public abstract class SameJvmCases extends ContractCase {

    private static final int O_CLOEXEC = 02000000;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected SameJvmCases() {
    }

    /**
     * A second acquisition of a file this JVM holds is refused as held by this process, at once or after a
     * wait, and neither it nor an inspection drops the lock (checked from another process).
     *
     * @throws Exception when a child cannot start or the wait is interrupted
     */
    @Test
    void secondAcquireInTheSameJvmIsRefusedAndKeepsTheLock() throws Exception {
        PidLock mine = closeAfterwards(lock().acquire());
        long self = ProcessHandle.current().pid();

        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertTrue(e.heldByThisProcess());
        assertEquals(self, e.holderPid().orElseThrow());
        assertTrue(lock().tryAcquire().isEmpty());
        AlreadyLockedException waited = assertThrows(AlreadyLockedException.class,
                () -> lock().acquire(Duration.ofMillis(200)));
        assertTrue(waited.heldByThisProcess(), waited.getMessage());

        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.RUNNING, status.state());
        assertEquals(self, status.pid().orElseThrow());

        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT locked " + self + " "), "the lock must survive in this JVM: " + line);
        assertTrue(mine.isHeld());
    }

    /**
     * The JVM-wide registry knows the file, not the path: another spelling of it (through {@code .}, through
     * a symlinked directory), another thread, and {@link PidFiles#inspect} with the default backend are all
     * answered without opening a second descriptor, so even a process-scoped lock survives them.
     *
     * @throws Exception when the fixture cannot be made or a child cannot start
     */
    @Test
    void everySpellingAndEveryThreadIsTheSameHeldFile() throws Exception {
        PidLock mine = closeAfterwards(lock().acquire());
        long self = ProcessHandle.current().pid();
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);
        List<Path> spellings = List.of(dir.resolve(".").resolve(pidfile.getFileName()),
                alias.resolve(pidfile.getFileName()), dir.resolve("sub").resolve("..").resolve(pidfile.getFileName()));
        Files.createDirectory(dir.resolve("sub"));
        ExecutorService other = Executors.newSingleThreadExecutor();
        closeAfterwards((AutoCloseable) other::shutdownNow);
        for (Path p : spellings) {
            AlreadyLockedException e = assertThrows(AlreadyLockedException.class,
                    () -> PidLock.at(p).backend(backendId()).acquire(), p.toString());
            assertTrue(e.heldByThisProcess(), p + ": " + e.getMessage());
            assertTrue(PidLock.at(p).backend(backendId()).tryAcquire().isEmpty(), p.toString());
            Future<Throwable> fromThere = other.submit(() -> {
                try {
                    PidLock.at(p).backend(backendId()).acquire().close();
                    return new AssertionError("another thread got " + p);
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable t = fromThere.get(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(t instanceof AlreadyLockedException && ((AlreadyLockedException) t).heldByThisProcess(),
                    "another thread, " + p + ": " + t);
            PidFileStatus status = PidLock.at(p).backend(backendId()).inspect();
            assertEquals(PidFileStatus.State.RUNNING, status.state(), p + ": " + status);
            assertEquals(self, status.pid().orElseThrow(), p + ": " + status);
        }
        PidFileStatus byDefault = PidFiles.inspect(pidfile);
        assertEquals(PidFileStatus.State.RUNNING, byDefault.state(), byDefault.toString());

        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT locked " + self + " "), "the lock must survive in this JVM: " + line);
        assertTrue(mine.isHeld());
    }

    /**
     * With re-entry allowed, a second acquisition is counted and the last release gives the lock up.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void reentryIsCountedWhenAllowed() throws IOException {
        PidLock outer = closeAfterwards(lock().reentrant(true).acquire());
        PidLock inner = lock().reentrant(true).acquire();
        inner.close();
        assertTrue(Files.exists(pidfile));
        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT locked"), "the outer hold keeps the lock: " + line);
        outer.close();
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A lock that belongs to the open file description survives this JVM opening and closing other
     * descriptors of the pidfile behind pidlock's back (the close pitfall of process-scoped locks).
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void closingOtherDescriptorsKeepsAnOpenFileDescriptionLock() throws IOException {
        requires(Capability.OPEN_FILE_DESCRIPTION_SCOPE, "its lock belongs to the process, so closing any other"
                + " descriptor of the pidfile in this JVM drops it; only pidlock's own accesses are guarded (see"
                + " everySpellingAndEveryThreadIsTheSameHeldFile)");
        PidLock mine = closeAfterwards(lock().acquire());
        long self = ProcessHandle.current().pid();
        assertEquals(self + "\n", Files.readString(pidfile));
        try (InputStream in = Files.newInputStream(pidfile)) {
            assertEquals(self + "\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        try (FileChannel ch = FileChannel.open(pidfile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertTrue(ch.size() > 0);
        }
        ChildProcess c = child();
        String line = c.nextLine();
        assertTrue(line.startsWith("CONFLICT locked " + self + " "), "closing another descriptor dropped the lock: "
                + line);
        assertTrue(mine.isHeld());
    }

    /**
     * A backend that can pass its lock across {@code exec} offers the locked descriptor only when asked for:
     * then it is open without close-on-exec and names the pidfile; otherwise none is offered.
     *
     * @throws IOException when {@code /proc} cannot be read
     */
    @Test
    void inheritableDescriptorIsOfferedOnlyWhenAskedFor() throws IOException {
        requires(Capability.INHERITABLE_ACROSS_EXEC, "its lock cannot be passed to a child across exec, so it"
                + " offers no descriptor (see inheritableAcquisitionIsRefusedWithoutTheCapability)");
        skipUnless(Files.isDirectory(Path.of("/proc/self/fdinfo")), "no /proc/self/fdinfo to read a descriptor's"
                + " flags from");
        try (PidLock lock = lock().inheritableAcrossExec().acquire()) {
            int fd = lock.inheritableDescriptor().orElseThrow(() -> new AssertionError("no descriptor offered"));
            assertEquals(0, openFlags(fd) & O_CLOEXEC, "the descriptor must survive exec");
            assertEquals(pidfile.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
        }
        try (PidLock lock = lock().acquire()) {
            assertTrue(lock.inheritableDescriptor().isEmpty(), "not asked for, not offered");
        }
    }

    /**
     * A backend that cannot pass its lock across {@code exec} refuses to acquire for that, naming the missing
     * capability, and creates no file.
     */
    @Test
    void inheritableAcquisitionIsRefusedWithoutTheCapability() {
        requiresLack(Capability.INHERITABLE_ACROSS_EXEC, "it can pass its lock across exec (see"
                + " inheritableDescriptorIsOfferedOnlyWhenAskedFor)");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> lock().inheritableAcrossExec().acquire());
        assertTrue(e.getMessage().contains("INHERITABLE_ACROSS_EXEC"), e.getMessage());
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    private static int openFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags in /proc/self/fdinfo/" + fd);
    }
}
