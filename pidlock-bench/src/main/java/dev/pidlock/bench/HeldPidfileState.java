package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A pidfile that another process (a {@link Holder} child JVM using the same backend) holds for the whole trial:
 * the setup starts the holder and lets the benchmark {@link #check()} that it sees it; the teardown ends the
 * holder and removes the directory. {@link TryAcquireHeldBenchmark} and {@link InspectHeldBenchmark} extend it.
 */
public abstract class HeldPidfileState extends BackendState {

    /** Where the pidfile lives: {@code shm} (tmpfs) or {@code disk} (the project's file system). */
    @Param({"shm", "disk"})
    public String fs;

    private Path dir;
    /** The child JVM that holds the pidfile. */
    protected HolderProcess holder;
    /** The held pidfile, with {@link #backend}. */
    protected PidLock.Builder lock;

    /**
     * Starts the holder and checks that this process sees it hold the pidfile.
     *
     * @throws IOException when the directory or the child cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = BenchDirs.create(fs, "pidlock-bench-held-");
        try {
            holder = HolderProcess.start(backend, dir.resolve("held.pid"));
            lock = PidLock.at(dir.resolve("held.pid")).backend(backend);
            check();
        } catch (IOException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    /** Fails the trial unless the benchmark's call sees the {@link #holder} hold the pidfile. */
    protected abstract void check();

    /**
     * Ends the holder and removes the directory.
     *
     * @throws IOException when something cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (holder != null) {
                holder.close();
            }
        } finally {
            BenchDirs.delete(dir);
        }
    }
}
