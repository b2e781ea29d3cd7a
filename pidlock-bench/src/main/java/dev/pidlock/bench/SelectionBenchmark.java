package dev.pidlock.bench;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Backend selection, cold: each measurement is the first use of pidlock in a fresh JVM (one fork, one
 * invocation), so it includes loading pidlock's classes, {@link java.util.ServiceLoader} discovery, loading JNA
 * and the C library, and the availability probes (each locks and unlocks a temporary file).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 10, jvmArgsAppend = {"-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED"})
public class SelectionBenchmark {

    private static final Path NEVER_CREATED = Path.of("/dev/shm/pidlock-bench-selection.pid");

    /** @return the backend {@code auto} picks: discovery, then probes down the priorities until one works */
    @Benchmark
    public BackendInfo selectDefault() {
        return PidLock.at(NEVER_CREATED).selectedBackend();
    }

    /** @return every backend with its availability: discovery and every probe ({@code pidlock backends}) */
    @Benchmark
    public List<BackendInfo> describeAll() {
        return PidLock.backends();
    }
}
