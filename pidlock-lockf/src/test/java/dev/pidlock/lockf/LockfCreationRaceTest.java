package dev.pidlock.lockf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.testkit.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The creator's window of backend {@code lockf}: between {@code open(O_CREAT|O_EXCL)} and
 * {@code lockf(F_TLOCK)} the pidfile exists empty, unlocked and marked as in creation. Racing creators never
 * make two holders, and an empty file whose creator died before locking is taken over once the creation
 * grace period has passed.
 * Timeouts only keep a broken test from hanging.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LockfCreationRaceTest {

    private static final int PROCESSES = 8;
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    private PidLock.Builder lock(Path pidfile) {
        return PidLock.at(pidfile).backend(LockfBackend.ID);
    }

    /**
     * Eight child JVMs started at once race to create and lock the same absent pidfile, in several rounds.
     * Nobody releases before every child has answered, so exactly one ACQUIRED per round means that no two
     * ever held at the same time, and that the race had a winner.
     *
     * @throws IOException when a child cannot start
     */
    @Test
    void racingCreatorsNeverMakeTwoHolders() throws IOException {
        Path pidfile = dir.resolve("race.pid");
        for (int round = 1; round <= ROUNDS; round++) {
            assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS), "round " + round + " starts without a file");
            List<ChildProcess> children = new ArrayList<>();
            try {
                for (int i = 0; i < PROCESSES; i++) {
                    children.add(ChildProcess.lockChild("acquire", pidfile.toString(), LockfBackend.ID));
                }
                List<ChildProcess> holders = new ArrayList<>();
                List<String> answers = new ArrayList<>();
                for (ChildProcess c : children) {
                    String line = c.nextLine();
                    answers.add(c.pid() + ": " + line);
                    if (line.equals("ACQUIRED " + c.pid())) {
                        holders.add(c);
                    } else if (!line.startsWith("CONFLICT locked ")) {
                        fail("round " + round + ": child " + c.pid() + " said " + line + "; stderr:\n" + c.stderr());
                    }
                }
                assertEquals(1, holders.size(), "round " + round + ": exactly one holder expected, got " + answers);
                ChildProcess holder = holders.get(0);
                assertEquals(holder.pid() + "\n", content(pidfile), "round " + round);
                holder.send("release");
                holder.expect("RELEASED");
                for (ChildProcess c : children) {
                    c.closeStdin();
                    assertEquals(0, c.waitFor(), c.stderr());
                }
            } finally {
                children.forEach(ChildProcess::close);
            }
        }
    }

    /**
     * An empty file whose creator was killed between {@code open(O_CREAT|O_EXCL)} and its lock, just created,
     * is not taken over right away: it is reported locked and left untouched. An attempt that ends after the
     * grace period proves nothing and is repeated with a fresh file.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void freshFileOfADeadCreatorIsNotTakenOverRightAway() throws IOException {
        Path pidfile = dir.resolve("fresh.pid");
        for (int attempt = 1; attempt <= 5; attempt++) {
            Instant made = abandonedByItsCreator(pidfile);
            PidLock got;
            try {
                got = lock(pidfile).acquire();
            } catch (AlreadyLockedException refused) {
                assertTrue(refused.getMessage().contains(pidfile.toString()), refused.getMessage());
                assertEquals(0, Files.size(pidfile), "a refused file is left as it was");
                return;
            }
            Duration age = Duration.between(made, Instant.now());
            got.close();
            assertTrue(age.compareTo(LockfLock.CREATION_GRACE) >= 0,
                    "an empty file " + age.toMillis() + " ms old was taken over inside the creation grace period");
        }
        Assumptions.abort("this machine never tried the lock within the grace period of a fresh file");
    }

    /**
     * A waiting acquirer of an empty file whose creator died before locking gets the file once the grace
     * period has passed, and not before (measured from the file's own modification time); the creator's mark
     * is gone from the mode then.
     *
     * @throws Exception when the fixture cannot be made or the wait is interrupted
     */
    @Test
    void waitingAcquirerTakesOverAnAbandonedFileAfterTheGracePeriod() throws Exception {
        Path pidfile = dir.resolve("abandoned.pid");
        Instant made = abandonedByItsCreator(pidfile);
        try (PidLock mine = lock(pidfile).acquire(Duration.ofSeconds(10))) {
            Duration age = Duration.between(made, Instant.now());
            assertTrue(mine.isHeld());
            assertTrue(age.compareTo(LockfLock.CREATION_GRACE) >= 0,
                    "taken over when only " + age.toMillis() + " ms old");
            assertEquals(ProcessHandle.current().pid() + "\n", content(pidfile));
            assertEquals("rw-r--r--", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(pidfile, LinkOption.NOFOLLOW_LINKS)));
        }
        assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * An abandoned file modified long ago, or with a modification time far ahead, is no creation in progress:
     * taken over at once, without waiting.
     *
     * @throws IOException when the fixture cannot be made
     */
    @Test
    void abandonedFileWithAnOldOrFarFutureMtimeIsTakenOverAtOnce() throws IOException {
        Path pidfile = dir.resolve("old.pid");
        for (Duration shift : List.of(Duration.ofMinutes(-1), Duration.ofHours(1))) {
            abandonedByItsCreator(pidfile);
            Files.setLastModifiedTime(pidfile, FileTime.from(Instant.now().plus(shift)));
            try (PidLock mine = lock(pidfile).acquire()) {
                assertTrue(mine.isHeld(), "mtime shifted by " + shift);
                assertEquals(ProcessHandle.current().pid() + "\n", content(pidfile));
            }
            assertFalse(Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
        }
    }

    /**
     * Leaves what a creator killed between {@code open(O_CREAT|O_EXCL)} and {@code lockf} leaves: it opens the
     * absent pidfile through the backend as a creator does, and closes it without locking.
     *
     * @return the file's modification time
     */
    private static Instant abandonedByItsCreator(Path pidfile) throws IOException {
        new LockfBackend().store().open(pidfile, OpenRequest.forLocking(OwnershipPolicy.DEFAULT_MODE)).close();
        assertEquals(0, Files.size(pidfile));
        return Files.getLastModifiedTime(pidfile, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    /**
     * Reads the pidfile from another process ({@code cat}): opening and closing it in this JVM would drop the
     * POSIX lock this JVM may hold on it.
     */
    private static String content(Path pidfile) throws IOException {
        Process cat = new ProcessBuilder("cat", pidfile.toString()).redirectErrorStream(true).start();
        try {
            String out = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(0, cat.waitFor(), out);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
