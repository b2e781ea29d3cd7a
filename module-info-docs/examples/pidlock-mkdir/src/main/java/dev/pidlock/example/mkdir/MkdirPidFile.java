package dev.pidlock.example.mkdir;

import dev.pidlock.example.mkdir.LockDirectory.Outcome;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import dev.pidlock.spi.StaleDetector;
import dev.pidlock.spi.UncertainIdentityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * One pidfile, opened through java.nio, and its lock directory. The content goes through the channel; the
 * exclusion is the lock directory, which no descriptor holds: closing any descriptor of the pidfile, here or
 * anywhere, leaves it alone.
 */
final class MkdirPidFile implements PidFileHandle {

    /** How often to try while waiting, at first; the pause doubles up to {@link #LONGEST_PAUSE_NANOS}. */
    static final long FIRST_PAUSE_NANOS = 20_000;
    /** The longest pause between two tries while waiting: a release is seen within half a millisecond. */
    static final long LONGEST_PAUSE_NANOS = 500_000;
    /** How often a waiter asks the detector again about the same owner (a dead owner is seen this late). */
    static final long REJUDGE_NANOS = Duration.ofMillis(100).toNanos();
    /** Attempts in one try before contention that keeps changing the lock directory counts as held. */
    private static final int ROUNDS = 64;
    /** Renames that fail while nothing holds the lock before the failure is reported. */
    private static final int UNEXPLAINED = 3;

    private final Path path;
    private final FileChannel channel;
    private final FileIdentity identity;
    private final LockDirectory lock;
    private final StaleDetector detector;
    private final Set<PosixFilePermission> directoryMode;
    private OwnerRecord held;
    private boolean closed;

    /**
     * @param identity      the file's identity, or null when the path changed while it was opened
     * @param directoryMode the lock directory's mode
     */
    MkdirPidFile(Path path, FileChannel channel, FileIdentity identity, StaleDetector detector,
                 Set<PosixFilePermission> directoryMode) {
        this.path = path;
        this.channel = channel;
        this.identity = identity;
        this.lock = LockDirectory.beside(path);
        this.detector = detector;
        this.directoryMode = directoryMode;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public FileIdentity identity() throws IOException {
        if (identity == null) {
            throw new UncertainIdentityException(path);
        }
        return identity;
    }

    @Override
    public boolean tryLock() throws IOException {
        if (held != null) {
            return true;
        }
        try (LockDirectory.Staging staging = lock.stage(directoryMode)) {
            return tryWith(staging, new Tries(false));
        }
    }

    /**
     * Waits by retrying with pauses that double from 20 µs to 0.5 ms: no kernel call waits for a directory to
     * go away. The same owner is judged again at most every 100 ms, so a holder that dies is noticed too.
     */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        if (timeout.isZero() || timeout.isNegative()) {
            return tryLock();
        }
        if (Thread.interrupted()) {
            close();
            throw new InterruptedException("interrupted before waiting for the lock on " + path);
        }
        if (held != null) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        Tries tries = new Tries(true);
        try (LockDirectory.Staging staging = lock.stage(directoryMode)) {
            while (true) {
                if (tryWith(staging, tries)) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(Math.min(pause, left));
                if (Thread.interrupted()) {
                    close();
                    throw new InterruptedException("interrupted while waiting for the lock on " + path);
                }
                pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
            }
        }
    }

    /**
     * Tries to take the lock directory with {@code staging} until it is taken or held by somebody else (breaking
     * a stale one on the way).
     *
     * @return whether it was taken
     */
    private boolean tryWith(LockDirectory.Staging staging, Tries tries) throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            LockDirectory.Result r = lock.attempt(staging, tries::judgeNow, detector);
            if (r.outcome() == Outcome.TAKEN) {
                held = staging.owner;
                lock.sweep(detector);
                return true;
            }
            if (r.outcome() == Outcome.HELD) {
                return false;
            }
            if (r.unexplained() != null && ++tries.unexplained >= UNEXPLAINED) {
                throw r.unexplained();
            }
        }
        return false; // the lock directory keeps changing: contention
    }

    /** The state of one try or wait: when to judge the owner again, and renames that failed for no lock. */
    private static final class Tries {
        private final boolean waiting;
        private String owner;
        private long judgedAt;
        int unexplained;

        Tries(boolean waiting) {
            this.waiting = waiting;
        }

        /** @return whether to ask the detector about {@code seen} now: at once for a new owner, then now and then */
        boolean judgeNow(OwnerRecord seen) {
            long t = System.nanoTime();
            String name = seen.fileName();
            if (!waiting || !name.equals(owner) || t - judgedAt >= REJUDGE_NANOS) {
                owner = name;
                judgedAt = t;
                return true;
            }
            return false;
        }
    }

    @Override
    public LockProbe probe() throws IOException {
        return lock.probe(detector);
    }

    @Override
    public void unlock() throws IOException {
        OwnerRecord mine = held;
        held = null;
        if (mine != null) {
            lock.release(mine);
        }
    }

    @Override
    public byte[] read(int limit) throws IOException {
        boolean interrupted = Thread.interrupted(); // a pending interrupt would close the channel
        try {
            ByteBuffer buf = ByteBuffer.allocate(limit);
            long position = 0;
            while (buf.hasRemaining()) {
                int n = channel.read(buf, position);
                if (n < 0) {
                    break;
                }
                position += n;
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void replaceContent(byte[] content) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            channel.truncate(0);
            ByteBuffer buf = ByteBuffer.wrap(content);
            long position = 0;
            while (buf.hasRemaining()) {
                position += channel.write(buf, position);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void setMode(Set<PosixFilePermission> mode) throws IOException {
        stillOurs("chmod");
        // No descriptor of ours to fchmod through java.nio; the NOFOLLOW view opens the file with O_NOFOLLOW
        // and changes it through that descriptor, which is safe here: this lock is not a descriptor's.
        Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(mode);
    }

    @Override
    public void setOwner(String owner, String group) throws IOException {
        stillOurs("chown");
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (owner != null) {
            view.setOwner(users.lookupPrincipalByName(owner));
        }
        if (group != null) {
            GroupPrincipal g = users.lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
    }

    private void stillOurs(String operation) throws IOException {
        Optional<PathFacts> now = PathFacts.read(path);
        if (now.isEmpty() || now.get().type() != PathFacts.FileType.REGULAR
                || !now.get().identity().equals(identity)) {
            throw new IOException(operation + " " + path + ": the path no longer names the locked file");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            unlock();
        } catch (IOException e) {
            failure = e;
        }
        try {
            channel.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "MkdirPidFile[" + path + (identity != null ? ", " + identity : "") + (held != null ? ", held" : "")
                + "]";
    }
}
