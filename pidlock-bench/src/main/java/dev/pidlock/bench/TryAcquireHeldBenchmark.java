package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fast "no": {@code tryAcquire()} of a pidfile that another process (a {@link Holder} child JVM using the
 * same backend) holds for the whole trial. Each call opens, fails to lock, finds out who holds, and closes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED"})
public class TryAcquireHeldBenchmark {

    /** The backend of both processes. */
    @Param({"ofd+flock", "ofd", "flock", "posix", "lockf", "nio"})
    public String backend;

    /** Where the pidfile lives: {@code shm} (tmpfs) or {@code disk} (the project's file system). */
    @Param({"shm", "disk"})
    public String fs;

    private java.nio.file.Path dir;
    private HolderProcess holder;
    private PidLock.Builder lock;

    /**
     * Starts the holder and checks that this process is refused.
     *
     * @throws IOException when the directory or the child cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = BenchDirs.create(fs, "pidlock-bench-held-");
        try {
            holder = HolderProcess.start(backend, dir.resolve("held.pid"));
            lock = PidLock.at(dir.resolve("held.pid")).backend(backend);
            refused();
        } catch (IOException | RuntimeException e) {
            tearDown();
            throw e;
        }
    }


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

    /** @return the empty answer (a grant would end the trial with an exception) */
    @Benchmark
    public Optional<PidLock> refused() {
        Optional<PidLock> got = lock.tryAcquire();
        if (got.isPresent()) {
            got.get().close();
            throw new IllegalStateException("tryAcquire was granted " + lock.path() + " while pid " + holder.pid()
                    + " holds it with " + backend);
        }
        return got;
    }
}
