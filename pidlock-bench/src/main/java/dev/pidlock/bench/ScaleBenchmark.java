package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The registry's cost at scale: the uncontended cycle of {@link CycleBenchmark} on one pidfile while this JVM
 * already holds {@link #held} other pidlock locks (one directory of pidfiles, same backend). The setup also
 * prints what holding costs, one line per trial:
 *
 * <pre>scale: backend=ofd+flock fs=shm held=10000 heap-bytes-per-lock=412 fds-per-lock=1.000</pre>
 *
 * heap used after a full GC before and after acquiring them, divided by their number, and the growth of
 * {@code /proc/self/fd}, likewise. Kernel memory (open file, lock, inode) is not in it.
 */
public class ScaleBenchmark extends BackendState {

    /** Where the pidfiles live: {@code shm} (tmpfs) or {@code disk} (the project's file system). */
    @Param({"shm"})
    public String fs;

    /** How many other locks this JVM holds (each an open descriptor: mind {@code ulimit -n}). */
    @Param({"10000"})
    public int held;

    private Path dir;
    private List<PidLock> others;
    private PidLock.Builder lock;

    /**
     * Acquires the other locks, and prints what they cost.
     *
     * @throws IOException when the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = BenchDirs.create(fs, "pidlock-bench-scale-");
        try {
            others = new ArrayList<>(held);
            lock = PidLock.at(dir.resolve("cycle.pid")).backend(backend);
            lock.acquire().close();
            long heapBefore = heapUsedAfterGc();
            long fdsBefore = openDescriptors();
            for (int i = 0; i < held; i++) {
                others.add(PidLock.at(dir.resolve(String.format(Locale.ROOT, "held-%05d.pid", i)))
                        .backend(backend).acquire());
            }
            long heapAfter = heapUsedAfterGc();
            long fdsAfter = openDescriptors();
            System.out.printf(Locale.ROOT, "scale: backend=%s fs=%s held=%d heap-bytes-per-lock=%.0f"
                    + " fds-per-lock=%.3f%n", backend, fs, held, (heapAfter - heapBefore) / (double) held,
                    (fdsAfter - fdsBefore) / (double) held);
            System.out.flush();
        } catch (IOException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }

    /**
     * Releases the other locks and removes the directory.
     *
     * @throws IOException when something cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (others != null) {
                others.forEach(PidLock::close);
                others.clear();
            }
        } finally {
            BenchDirs.delete(dir);
        }
    }

    /** Acquire and release one more pidfile. */
    @Benchmark
    public void acquireRelease() {
        lock.acquire().close();
    }

    private static long heapUsedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
