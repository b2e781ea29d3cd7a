package dev.pidlock.bench;

import dev.pidlock.PidFileStatus;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The status cost: {@code inspect()} of a pidfile that another process (a {@link Holder} child JVM using the
 * same backend) holds for the whole trial — open read-only, probe the lock, read the pid, look at the process.
 */
public class InspectHeldBenchmark extends HeldPidfileState {

    /** The status names the holder. */
    @Override
    protected void check() {
        PidFileStatus status = inspect();
        if (status.state() != PidFileStatus.State.RUNNING || status.pid().orElse(0) != holder.pid()) {
            throw new IllegalStateException("inspect of a pidfile held by pid " + holder.pid() + " said " + status);
        }
    }

    /** @return the held pidfile's status */
    @Benchmark
    public PidFileStatus inspect() {
        return lock.inspect();
    }
}
