package dev.pidlock.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the steady-state benchmarks of one backend share: per-thread state, the average time of a call in
 * microseconds, 3 × 1 s of warm-up and 5 × 1 s measured in one fork (JMH reads these from the superclass), and
 * the {@link #backend} parameter. {@link CycleBenchmark}, {@link ScaleBenchmark} and, through
 * {@link HeldPidfileState}, the held benchmarks extend it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED"})
public abstract class BackendState {

    /** The backend under test (of every process and every lock of the benchmark). */
    @Param({"ofd+flock", "ofd", "flock", "posix", "lockf", "nio"})
    public String backend;
}
