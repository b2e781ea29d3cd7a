package dev.pidlock.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every topic of {@link HostileInputTorture} stands on: a fresh directory per test, the backend under test,
 * and the shared pieces of a hostile case (a sentinel file beside the pidfile, an old mtime that must survive,
 * one generated case run, counted and cleaned up). The topics, {@link HostileContentCases},
 * {@link HostileNameCases}, {@link HostilePathCases} and {@link UnprivilegedCases}, extend it; a backend
 * module normally runs them all through {@link HostileInputTorture}.
 *
 * @since 0.1
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
public abstract class HostileInputCase {

    static final FileTime LONG_AGO = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    static final long SELF = ProcessHandle.current().pid();

    /**
     * A fresh directory per test.
     *
     * @since 0.1
     */
    @TempDir
    protected Path dir;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostileInputCase() {
    }

    /**
     * @return the id of the backend under test
     * @since 0.1
     */
    protected abstract String backendId();

    /** A step of a case that may throw anything. */
    interface Step {
        void run() throws Exception;
    }

    /** Runs one generated case: counts it, counts a failure as a violation, and always cleans up. */
    static void guarded(AtomicLong rounds, AtomicLong violations, Step body, Step cleanup) {
        rounds.incrementAndGet();
        try {
            body.run();
        } catch (AssertionError | RuntimeException e) {
            violations.incrementAndGet();
            throw e;
        } catch (Exception e) {
            violations.incrementAndGet();
            throw new AssertionError(e);
        } finally {
            try {
                cleanup.run();
            } catch (Exception e) {
                throw new AssertionError("cleaning up failed", e);
            }
        }
    }

    /** Puts a sentinel file, with content and an old mtime, in {@code d}. */
    static void sentinel(Path d) throws IOException {
        Path s = d.resolve("sentinel.txt");
        Files.writeString(s, "sentinel\n");
        Files.setLastModifiedTime(s, LONG_AGO);
    }

    /** Runs a command, its output discarded: whether it exited with 0. */
    static boolean run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
