package dev.pidlock.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one step of a torture case on a helper thread and fails the case when it does not return within a
 * generous bound: "never a hang" made checkable. The bound is liveness only; no test asserts on speed.
 */
final class Liveness {

    /** How long a single acquire, inspect or release may take before the case counts as hung. */
    static final Duration BOUND = Duration.ofSeconds(30);

    private static final ExecutorService STEPS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pidlock-torture-step");
        t.setDaemon(true);
        return t;
    });

    private Liveness() {
    }

    /**
     * @param what   the step, for the failure message
     * @param action the step
     * @param <T>    what it returns
     * @return what it returned
     * @throws Exception what it threw (unwrapped)
     */
    static <T> T within(String what, Callable<T> action) throws Exception {
        Future<T> f = STEPS.submit(action);
        try {
            return f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException hung) {
            f.cancel(true);
            throw new AssertionError(what + " did not return within " + BOUND + ": it hangs");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
