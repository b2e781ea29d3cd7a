package dev.pidlock.example.mkdir;

import dev.pidlock.example.mkdir.LockDirectory.Outcome;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.StaleDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

/**
 * The exclusion of one pidfile: its lock directory, which no descriptor holds, so closing any descriptor of
 * the pidfile, here or anywhere, leaves it alone. Waiting is the SPI's retrying default over
 * {@link #tryLock()} (no kernel call waits for a directory to go away), with one staging directory a wait.
 */
final class MkdirLock implements Exclusion {

    /** How often a waiter asks the detector again about the same owner (a dead owner is seen this late). */
    static final long REJUDGE_NANOS = Duration.ofSeconds(1).toNanos();
    /** Attempts in one try before contention that keeps changing the lock directory counts as held. */
    private static final int ROUNDS = 64;
    /** Renames that fail while nothing holds the lock before the failure is reported. */
    private static final int UNEXPLAINED = 3;

    private final Path pidfile;
    private final LockDirectory lock;
    private final StaleDetector detector;
    private final Set<PosixFilePermission> directoryMode;
    private OwnerRecord held;
    /** The staging directory of the wait in progress, which every try of that wait renames; null between waits. */
    private LockDirectory.Staging waiting;
    /** The owner last judged, and when: retries of a wait judge the same owner again only now and then. */
    private String judged;
    private long judgedAt;
    private int unexplained;

    MkdirLock(Path pidfile, StaleDetector detector, Set<PosixFilePermission> directoryMode) {
        this.pidfile = pidfile;
        this.lock = LockDirectory.beside(pidfile);
        this.detector = detector;
        this.directoryMode = directoryMode;
    }

    /** Tries with the wait's staging directory, or with a fresh one that it removes unless it was taken. */
    @Override
    public boolean tryLock() throws IOException {
        if (held != null) {
            return true;
        }
        if (waiting != null) {
            return tryWith(waiting);
        }
        try (LockDirectory.Staging staging = lock.stage(directoryMode)) {
            return tryWith(staging);
        }
    }

    /**
     * The SPI's retrying wait, with one staging directory for the whole wait instead of one a try: each try
     * would otherwise make and remove a directory and its entry, four metadata operations a try (on NFS, four
     * round trips).
     */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        if (held != null) {
            return true;
        }
        try (LockDirectory.Staging staging = lock.stage(directoryMode)) {
            waiting = staging;
            return Exclusion.super.lock(timeout);
        } finally {
            waiting = null;
        }
    }

    /**
     * Renames {@code staging} onto the lock directory until it is taken or held by somebody else, breaking a stale
     * one on the way.
     */
    private boolean tryWith(LockDirectory.Staging staging) throws IOException {
        for (int round = 0; round < ROUNDS; round++) {
            LockDirectory.Result r = lock.attempt(staging, this::judgeNow, detector);
            if (r.outcome() == Outcome.TAKEN) {
                held = staging.owner;
                lock.sweep(detector);
                return true;
            }
            if (r.outcome() == Outcome.HELD) {
                return false;
            }
            if (r.unexplained() != null && ++unexplained >= UNEXPLAINED) {
                throw r.unexplained();
            }
        }
        return false; // the lock directory keeps changing: contention
    }

    /** @return whether to ask the detector about {@code seen} now: at once for a new owner, then now and then */
    private boolean judgeNow(OwnerRecord seen) {
        long t = System.nanoTime();
        String name = seen.fileName();
        if (!name.equals(judged) || t - judgedAt >= REJUDGE_NANOS) {
            judged = name;
            judgedAt = t;
            return true;
        }
        return false;
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
    public String toString() {
        return "MkdirLock[" + pidfile + (held != null ? ", held" : "") + "]";
    }
}
