package dev.pidlock.example.mkdir;

import static dev.pidlock.example.mkdir.Fixtures.entries;
import static dev.pidlock.example.mkdir.Fixtures.local;
import static dev.pidlock.example.mkdir.Fixtures.lockDir;
import static dev.pidlock.example.mkdir.Fixtures.owner;
import static dev.pidlock.example.mkdir.Fixtures.plant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.UnsafePidFileException;
import dev.pidlock.spi.StaleVerdict;
import dev.pidlock.testkit.ChildProcess;
import dev.pidlock.testkit.ContractCase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * What the conformance kit cannot know about backend {@code mkdir}: its lock outlives its holder until a
 * {@link dev.pidlock.spi.StaleDetector} says the holder is gone; owners that cannot be examined from here are
 * never broken; the lock belongs to the pidfile's name; and what is left at or beside the lock path is judged
 * or refused, never guessed at. Holders are real child JVMs, killed with SIGKILL.
 */
class MkdirStaleLockTest extends ContractCase {

    @Override
    protected String backendId() {
        return MkdirBackend.ID;
    }

    /** A builder whose backend's detector calls every owner alive, whatever it is. */
    private PidLock.Builder trustingEveryOwner() {
        return PidLock.at(pidfile).backend(new MkdirBackend(h -> StaleVerdict.alive("this detector says so")));
    }

    /**
     * SIGKILL leaves the lock directory with the dead holder's entry: the lock stays taken for a detector that
     * calls the holder alive; with the default detector, inspection calls it stale and the next acquirer breaks
     * it, holds, and on release leaves neither pidfile nor lock directory.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void aHolderKilledBySigkillKeepsItsLockUntilTheDetectorSaysItIsDead() throws IOException {
        ChildProcess a = holder();
        a.kill();
        assertEquals(a.pid(), owner(pidfile).pid(), "SIGKILL leaves the lock directory with the holder's entry");
        String left = entries(lockDir(pidfile)).get(0);

        assertThrows(AlreadyLockedException.class, () -> trustingEveryOwner().acquire(),
                "a detector that calls the dead holder alive keeps its lock");
        assertEquals(List.of(left), entries(lockDir(pidfile)), "nothing was broken");

        PidFileStatus status = lock().inspect();
        assertEquals(PidFileStatus.State.STALE, status.state(), status.toString());
        assertEquals(PidFileStatus.LockState.UNLOCKED, status.lock(), status.toString());
        assertEquals(List.of(left), entries(lockDir(pidfile)), "inspecting broke nothing");

        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld());
            assertEquals(ProcessHandle.current().pid(), owner(pidfile).pid());
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
        assertFalse(Files.exists(lockDir(pidfile), LinkOption.NOFOLLOW_LINKS), "release removes the lock directory");
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "release removes the pidfile");
    }

    /**
     * A child waiting for a holder that is killed gets the lock: the waiter asks the detector again now and
     * then, so it notices the death without any kernel's help.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void aWaiterGetsTheLockWhenTheHolderIsKilled() throws IOException {
        ChildProcess a = holder();
        ChildProcess b = child("wait=60000");
        a.kill();
        assertEquals("ACQUIRED " + b.pid(), b.nextLine(), b::stderr);
        assertEquals(b.pid() + "\n", content());
        assertEquals(b.pid(), owner(pidfile).pid());
    }

    /**
     * The lock belongs to the pidfile's name: when the pidfile is deleted while held, another process that
     * creates a new one there is still refused, naming the holder, and so is this JVM; once the holder
     * releases, the next acquirer gets it.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void deletingThePidfileWhileHeldLetsNobodyIn() throws IOException {
        ChildProcess a = holder();
        Files.delete(pidfile);
        ChildProcess c = child();
        String refused = c.nextLine();
        assertTrue(refused.startsWith("CONFLICT locked " + a.pid() + " "), refused);
        AlreadyLockedException here = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(a.pid(), here.holderPid().orElseThrow(), here.getMessage());

        a.send("release");
        a.expect("RELEASED");
        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", content());
        }
    }

    /**
     * Owners nothing here can examine are never broken, dead pid or not: one on another host, and one in
     * another pid namespace of this kernel (another container). Inspection reports such a lock as held.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void ownersThatCannotBeExaminedFromHereAreNeverBroken() throws IOException {
        long dead = deadPid();
        ThisHost me = ThisHost.get();
        List<OwnerRecord> owners = List.of(
                new OwnerRecord(OwnerRecord.newNonce(), dead, Instant.now(), "0123456789abcdef0123456789abcdef", "-",
                        "elsewhere.invalid"),
                new OwnerRecord(OwnerRecord.newNonce(), dead, Instant.now(), me.boot(), "1", me.host()));
        for (OwnerRecord o : owners) {
            if (o.pidNamespace().equals("1")) {
                skipUnless(!me.boot().equals("-") && !me.pidNamespace().equals("-"),
                        "no boot id or pid namespace to tell containers apart here");
            }
            Files.writeString(pidfile, dead + "\n");
            Path lock = plant(pidfile, o);
            assertThrows(AlreadyLockedException.class, () -> lock().acquire(), o.fileName());
            PidFileStatus status = lock().inspect();
            assertEquals(PidFileStatus.LockState.LOCKED, status.lock(), o.fileName() + ": " + status);
            assertEquals(List.of(o.fileName()), entries(lock), "left alone");
            Files.delete(lock.resolve(o.fileName()));
            Files.delete(lock);
        }
    }

    /**
     * A lock taken on this host before it restarted (same host name, another boot id) is broken, even when its
     * pid happens to be alive now: this very process's pid, here.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void aLockFromAnEarlierBootOfThisHostIsBroken() throws IOException {
        ThisHost me = ThisHost.get();
        skipUnless(!me.boot().equals("-") && !me.host().equals("-"), "no boot id or host name here");
        String otherBoot = me.boot().startsWith("0") ? "1" + me.boot().substring(1) : "0" + me.boot().substring(1);
        plant(pidfile, new OwnerRecord(OwnerRecord.newNonce(), ProcessHandle.current().pid(), Instant.now(),
                otherBoot, me.pidNamespace(), me.host()));
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld());
            assertEquals(me.boot(), owner(pidfile).boot());
        }
    }

    /**
     * A live owner that started after it took the lock is a reused pid: broken (and the process left alone).
     * A live owner that started before is respected.
     *
     * @throws IOException when a process cannot start
     */
    @Test
    void aReusedPidIsBrokenAndALiveOwnerIsNot() throws IOException {
        Process younger = bystander();
        plant(pidfile, local(younger.pid(), Instant.now().minus(Duration.ofHours(1))));
        try (PidLock mine = lock().acquire()) {
            assertEquals(ProcessHandle.current().pid(), owner(pidfile).pid());
        }
        assertTrue(younger.isAlive(), "the unrelated process is left alone");

        Process older = bystander();
        OwnerRecord live = local(older.pid(), Instant.now().plus(Duration.ofMinutes(1)));
        Path lock = plant(pidfile, live);
        AlreadyLockedException e = assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(older.pid(), e.holderPid().orElseThrow(), "the probe names the owner: " + e.getMessage());
        assertEquals(List.of(live.fileName()), entries(lock));
    }

    /**
     * What this backend does not understand is left alone: a lock directory with other entries counts as held;
     * a file or a symlink at the lock path is refused, and the symlink's target is not touched. An empty lock
     * directory (a release or a break cut short) is free.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void whatIsNotAnOwnedLockIsLeftAloneOrRefused() throws IOException {
        Path lock = lockDir(pidfile);
        Files.createDirectory(lock);
        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld(), "an empty lock directory is free");
        }

        Files.createDirectory(lock);
        Files.writeString(lock.resolve("notes.txt"), "someone else's\n");
        assertThrows(AlreadyLockedException.class, () -> lock().acquire());
        assertEquals(PidFileStatus.LockState.LOCKED, lock().inspect().lock());
        assertEquals(List.of("notes.txt"), entries(lock));
        Files.delete(lock.resolve("notes.txt"));
        Files.delete(lock);

        Files.writeString(lock, "a file\n");
        assertThrows(UnsafePidFileException.class, () -> lock().acquire());
        assertEquals("a file\n", Files.readString(lock));
        Files.delete(lock);

        Path target = Files.createDirectory(dir.resolve("target"));
        Files.createSymbolicLink(lock, target);
        assertThrows(UnsafePidFileException.class, () -> lock().acquire());
        assertEquals(List.of(), entries(target), "nothing was made through the symlink");
    }

    /**
     * Staging directories left by takers killed before their rename are swept by the next acquisition: a dead
     * owner's, and an empty one older than a minute; a live owner's stays.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void stagingDirectoriesLeftByDeadTakersAreSwept() throws IOException {
        String prefix = pidfile.getFileName() + LockDirectory.SUFFIX + ".";
        OwnerRecord dead = local(deadPid(), Instant.now());
        Path deadStaging = Files.createDirectory(dir.resolve(prefix + dead.nonce() + ".new"));
        Files.createFile(deadStaging.resolve(dead.fileName()));
        Path empty = Files.createDirectory(dir.resolve(prefix + OwnerRecord.newNonce() + ".new"));
        Files.setLastModifiedTime(empty, FileTime.from(Instant.now().minus(Duration.ofMinutes(2))));
        Path fresh = Files.createDirectory(dir.resolve(prefix + OwnerRecord.newNonce() + ".new"));
        OwnerRecord live = local(ProcessHandle.current().pid(), Instant.now());
        Path liveStaging = Files.createDirectory(dir.resolve(prefix + live.nonce() + ".new"));
        Files.createFile(liveStaging.resolve(live.fileName()));

        try (PidLock mine = lock().acquire()) {
            assertTrue(mine.isHeld());
        }
        assertFalse(Files.exists(deadStaging), "a dead taker's staging directory is swept");
        assertFalse(Files.exists(empty), "an old empty staging directory is swept");
        assertTrue(Files.exists(fresh), "a new empty one may be about to get its owner entry");
        assertTrue(Files.exists(liveStaging), "a live taker's staging directory stays");
    }
    /**
     * A waiter renames one staging directory for its whole wait: one made and removed on every try would be four
     * metadata operations every half millisecond (four round trips on NFS).
     *
     * @throws IOException when a child cannot start
     * @throws InterruptedException when interrupted
     */
    @Test
    void aWaitUsesOneStagingDirectory() throws IOException, InterruptedException {
        ChildProcess a = holder();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (var list = Files.list(pidfile.getParent())) {
                    list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".new")).forEach(seen::add);
                } catch (IOException | RuntimeException e) {
                    // a directory that went away while listed
                }
            }
        });
        watcher.start();
        try {
            assertThrows(AlreadyLockedException.class, () -> lock().acquire(Duration.ofMillis(400)));
        } finally {
            watcher.interrupt();
            watcher.join();
        }
        // pidlock tries once (a staging directory of its own), then waits (one more)
        assertTrue(seen.size() <= 2, () -> "staging directories seen during the wait: " + seen);
        a.send("release");
        a.expect("RELEASED");
    }
}
