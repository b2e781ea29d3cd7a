package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidFileStatus.LockState;
import dev.pidlock.PidFileStatus.State;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Probing without acquiring ({@code inspect}): every state of a pidfile is reported, nothing is created, changed
 * or locked by looking. Whether the lock itself can be seen depends on {@link Capability#PROBE_WITHOUT_ACQUIRING}
 * or on the kernel listing it ({@code /proc/locks});
 * whether the kernel can name the holder, on {@link Capability#REPORTS_HOLDER_PID}.
 *
 * @since 0.1
 */
public abstract class InspectionCases extends ContractCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected InspectionCases() {
    }

    /** @return what an unlocked file's lock state must read: unlocked if the backend can probe, else unknown */
    private LockState unlocked() {
        return capabilities().contains(Capability.PROBE_WITHOUT_ACQUIRING) ? LockState.UNLOCKED : LockState.UNKNOWN;
    }

    /**
     * @return what a locked file's lock state must read: locked if the backend can probe or the kernel shows its
     *         lock, else unknown
     */
    private LockState locked() {
        return capabilities().contains(Capability.PROBE_WITHOUT_ACQUIRING) || kernelShowsTheLock()
                ? LockState.LOCKED : LockState.UNKNOWN;
    }

    /** @return whether the backend's lock is a kernel lock that {@code /proc/locks} lists */
    private boolean kernelShowsTheLock() {
        return (capabilities().contains(Capability.CONFLICTS_WITH_FLOCK)
                || capabilities().contains(Capability.CONFLICTS_WITH_FCNTL)) && Files.isReadable(Path.of("/proc/locks"));
    }

    /**
     * Inspecting a pidfile another process holds names that process and does not disturb the lock, seen from
     * this JVM and from a third process. A backend that can probe without acquiring reports the lock as held;
     * one that cannot says it does not know.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void inspectNamesTheHolderWithoutTakingTheLock() throws IOException {
        ChildProcess a = holder();
        PidFileStatus status = lock().inspect();
        assertEquals(State.RUNNING, status.state(), status.toString());
        assertEquals(a.pid(), status.pid().orElseThrow(), status.toString());
        assertEquals(locked(), status.lock(), status.toString());
        assertTrue(status.process().isPresent() && status.process().get().alive(), status.toString());

        ChildProcess b = child();
        String refused = b.nextLine();
        assertTrue(refused.startsWith("CONFLICT locked " + a.pid() + " "), "inspection must not free the lock: "
                + refused);
        b.send("inspect");
        assertEquals("STATUS RUNNING " + a.pid() + " " + locked(), b.nextLine(), "inspected from a third process");

        a.send("release");
        a.expect("RELEASED");
        assertEquals(State.ABSENT, lock().inspect().state());
    }

    /**
     * The kernel names the holder of a backend's kernel lock ({@link PidFileStatus#holders()}), and it confirms
     * the pid the holder wrote ({@link PidFileStatus#pidConfirmed()}). Skipped for a backend whose lock is not a
     * kernel lock (it excludes neither {@code flock} nor {@code fcntl} users) and where {@code /proc/locks} is
     * missing.
     *
     * @throws IOException when a child cannot start
     * @since 0.2
     */
    @Test
    void theKernelConfirmsTheHolder() throws IOException {
        skipUnless(kernelShowsTheLock(), backendId() + " holds no kernel lock, or there is no /proc/locks");
        ChildProcess a = holder();
        PidFileStatus status = lock().inspect();
        assertTrue(status.holders().contains(a.pid()), status.toString());
        assertTrue(status.pidConfirmed(), status.toString());
        assertEquals(OptionalLong.of(a.pid()), status.recordedPid(), status.toString());
        a.send("release");
        a.expect("RELEASED");
        assertEquals(List.of(), lock().inspect().holders());
    }

    /**
     * Absent, stale (a dead pid, a reused pid, garbage) and running-but-unlocked (a live process that may have
     * written the file) are each reported with the pid the file names; looking creates no file and changes
     * neither content, modification time nor inode.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void inspectReportsEveryUnheldStateAndChangesNothing() throws IOException {
        PidFileStatus absent = lock().inspect();
        assertEquals(State.ABSENT, absent.state(), absent.toString());
        assertTrue(absent.pid().isEmpty(), absent.toString());
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "inspecting created the pidfile");

        long dead = deadPid();
        assertUnheld("a dead pid", dead + "\n", Instant.now().minus(Duration.ofMinutes(1)), State.STALE,
                OptionalLong.of(dead));
        Process younger = bystander();
        assertUnheld("a pid reused by a younger process", younger.pid() + "\n",
                Instant.now().minus(Duration.ofHours(1)), State.STALE, OptionalLong.of(younger.pid()));
        assertUnheld("garbage", "garbage\n", Instant.now().minus(Duration.ofMinutes(1)), State.STALE,
                OptionalLong.empty());
        Process older = bystander();
        assertUnheld("a live process older than the file", older.pid() + "\n",
                Instant.now().plus(Duration.ofMinutes(1)), State.RUNNING, OptionalLong.of(older.pid()));
    }

    private void assertUnheld(String what, String text, Instant mtime, State state, OptionalLong pid)
            throws IOException {
        Files.deleteIfExists(pidfile);
        Files.writeString(pidfile, text);
        FileTime written = FileTime.from(mtime);
        Files.setLastModifiedTime(pidfile, written);
        Object inode = Files.getAttribute(pidfile, "unix:ino", LinkOption.NOFOLLOW_LINKS);

        PidFileStatus status = lock().inspect();
        assertEquals(state, status.state(), what + ": " + status);
        assertEquals(pid, status.pid(), what + ": " + status);
        assertEquals(unlocked(), status.lock(), what + ": " + status);

        assertEquals(text, content(), what + ": inspecting changed the content");
        assertEquals(written, Files.getLastModifiedTime(pidfile, LinkOption.NOFOLLOW_LINKS),
                what + ": inspecting changed the modification time");
        assertEquals(inode, Files.getAttribute(pidfile, "unix:ino", LinkOption.NOFOLLOW_LINKS),
                what + ": inspecting replaced the file");
    }

    /**
     * A backend that reports the holder's pid names the holder from the kernel when the pidfile's content
     * does not (here another process overwrote it with garbage): in {@code inspect} and in the conflict.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void theKernelNamesTheHolderWhenTheFileDoesNot() throws IOException {
        requires(Capability.REPORTS_HOLDER_PID, "only the pidfile's content can name the holder, and here it"
                + " names nobody");
        ChildProcess a = holder();
        run("/bin/sh", "-c", "printf 'garbage\\n' > \"$1\"", "sh", pidfile.toString());
        assertEquals("garbage\n", content());

        PidFileStatus status = lock().inspect();
        assertEquals(State.RUNNING, status.state(), status.toString());
        assertEquals(LockState.LOCKED, status.lock(), status.toString());
        assertEquals(a.pid(), status.pid().orElseThrow(), status.toString());

        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(a.pid(), e.holderPid().orElseThrow(), e.getMessage());
    }

    /**
     * The pidfile names a live process that does not hold the lock (another process wrote a bystander's pid
     * into it): the refusal names the holder the kernel confirms, never the file's unconfirmed pid, and a
     * refused {@code tryAcquire} is simply empty.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void aRefusalNamesTheKernelsHolderNotALivePidTheFileNames() throws IOException {
        skipUnless((capabilities().contains(Capability.CONFLICTS_WITH_FLOCK)
                || capabilities().contains(Capability.CONFLICTS_WITH_FCNTL))
                && Files.isReadable(Path.of("/proc/locks")), backendId() + " takes no kernel lock that /proc/locks"
                + " shows here: only the pidfile's content can name the holder");
        ChildProcess a = holder();
        Process bystander = bystander();
        run("/bin/sh", "-c", "printf '%s\\n' \"$2\" > \"$1\"", "sh", pidfile.toString(),
                Long.toString(bystander.pid()));
        assertEquals(bystander.pid() + "\n", content());

        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(a.pid(), e.holderPid().orElseThrow(), e.getMessage());
        assertTrue(lock().tryAcquire().isEmpty());
        assertEquals(bystander.pid() + "\n", content(), "refusing changed the content");
    }
}
