package dev.pidlock.bench;

import dev.pidlock.PidLock;
import dev.pidlock.spi.ReleaseAction;
import java.io.IOException;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One uncontended acquire + release cycle (open, lock, identity check, read, write, unlink, close),
 * per backend, with the pidfile on tmpfs ({@code /dev/shm}) or on the project's disk, and with the default
 * release (delete the file) or keep-file (the file and its pid stay; the next cycle takes it over).
 */
public class CycleBenchmark extends BackendState {

    /** Where the pidfile lives: {@code shm} (tmpfs) or {@code disk} (the project's file system). */
    @Param({"shm", "disk"})
    public String fs;

    /** What release does: {@code delete} the pidfile (the default) or {@code keep} it. */
    @Param({"delete", "keep"})
    public String release;

    private Path dir;
    private PidLock.Builder lock;

    /**
     * @throws IOException when the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = BenchDirs.create(fs, "pidlock-bench-");
        try {
            lock = PidLock.at(dir.resolve("cycle.pid")).backend(backend);
            switch (release) {
                case "delete":
                    break;
                case "keep":
                    lock.onRelease(ReleaseAction.KEEP);
                    break;
                default:
                    throw new IllegalArgumentException("release must be delete or keep, not " + release);
            }
            lock.acquire().close();
        } catch (RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    /**
     * @throws IOException when the directory cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        BenchDirs.delete(dir);
    }

    /** Acquire and release. */
    @Benchmark
    public void acquireRelease() {
        lock.acquire().close();
    }
}
