package dev.pidlock.bench;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The fast "no": {@code tryAcquire()} of a pidfile that another process (a {@link Holder} child JVM using the
 * same backend) holds for the whole trial. Each call opens, fails to lock and closes: nobody reads who holds
 * it. {@link #refusedNamed()} is the refusal of {@code acquire()}, which names the holder the kernel confirms.
 */
public class TryAcquireHeldBenchmark extends HeldPidfileState {

    /** This process is refused. */
    @Override
    protected void check() {
        refused();
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

    /** @return the holder that {@code acquire()}'s refusal names (the kernel-confirmed pid of the pidfile) */
    @Benchmark
    public long refusedNamed() {
        try {
            lock.acquire().close();
        } catch (AlreadyLockedException e) {
            return e.holderPid().orElse(-1);
        }
        throw new IllegalStateException("acquire was granted " + lock.path() + " while pid " + holder.pid()
                + " holds it with " + backend);
    }
}
