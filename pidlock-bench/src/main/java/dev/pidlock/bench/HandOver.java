package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hand-over latency between two processes: the time from the holder starting its release to the waiter
 * holding the lock. This JVM holds; a child JVM waits with {@code acquire(timeout)}. Both read
 * {@link System#nanoTime()}, which on Linux is {@code CLOCK_MONOTONIC}, one clock for the whole machine.
 *
 * <pre>java -cp benchmarks.jar dev.pidlock.bench.HandOver BACKEND [ROUNDS] [DIR] [keep]</pre>
 *
 * With {@code keep}, release truncates the pidfile instead of deleting it, so the waiter does not start over on
 * a new file.
 */
public final class HandOver {
    private HandOver() {
    }

    /**
     * @param args backend, rounds (default 500), directory (default /dev/shm), {@code keep}
     * @throws Exception when the child fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--waiter")) {
            waiter(Path.of(args[1]), args[2], Boolean.parseBoolean(args[3]));
            return;
        }
        String backend = args.length > 0 ? args[0] : "ofd+flock";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = Files.createTempDirectory(Path.of(args.length > 2 ? args[2] : "/dev/shm"), "pidlock-handover-");
        boolean keep = args.length > 3 && args[3].equals("keep");
        Path pidfile = dir.resolve("handover.pid");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                HandOver.class.getName(), "--waiter", pidfile.toString(), backend, String.valueOf(keep))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long[] nanos = new long[rounds];
        long[] closing = new long[rounds];
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            PrintWriter out = new PrintWriter(new OutputStreamWriter(child.getOutputStream(),
                    StandardCharsets.UTF_8), true);
            PidLock.Builder lock = PidLock.at(pidfile).backend(backend);
            if (keep) {
                lock.onRelease(dev.pidlock.spi.ReleaseAction.TRUNCATE);
            }
            int warmup = Math.min(50, rounds / 5);
            for (int i = -warmup; i < rounds; i++) {
                PidLock held = lock.acquire();
                out.println("wait");
                expect(in.readLine(), "waiting");
                Thread.sleep(1 + ThreadLocalRandom.current().nextInt(10));
                long released = System.nanoTime();
                held.close();
                closing[Math.max(0, i)] = System.nanoTime() - released;
                String got = in.readLine();
                if (got == null || !got.startsWith("acquired ")) {
                    throw new IllegalStateException("waiter said " + got);
                }
                long acquired = Long.parseLong(got.substring("acquired ".length()));
                if (i >= 0) {
                    nanos[i] = acquired - released;
                }
            }
            out.println("exit");
            child.waitFor();
        } finally {
            child.destroyForcibly();
            Files.deleteIfExists(pidfile);
            Files.deleteIfExists(dir);
        }
        Arrays.sort(nanos);
        Arrays.sort(closing);
        System.out.printf(java.util.Locale.ROOT, "holder's close(): median %.3f ms%n", closing[rounds / 2] / 1e6);
        System.out.printf(java.util.Locale.ROOT, "hand-over %s: rounds %d, median %.3f ms, p99 %.3f ms, max %.3f ms%n", backend, rounds,
                nanos[rounds / 2] / 1e6, nanos[(int) Math.ceil(rounds * 0.99) - 1] / 1e6, nanos[rounds - 1] / 1e6);
    }

    private static void waiter(Path pidfile, String backend, boolean keep) throws IOException, InterruptedException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PidLock.Builder lock = PidLock.at(pidfile).backend(backend);
        if (keep) {
            lock.onRelease(dev.pidlock.spi.ReleaseAction.TRUNCATE);
        }
        String line;
        while ((line = in.readLine()) != null && line.equals("wait")) {
            System.out.println("waiting");
            System.out.flush();
            PidLock held = lock.acquire(Duration.ofSeconds(30));
            long t = System.nanoTime();
            held.close();
            System.out.println("acquired " + t);
            System.out.flush();
        }
    }

    private static void expect(String line, String wanted) {
        if (!wanted.equals(line)) {
            throw new IllegalStateException("waiter said " + line + ", expected " + wanted);
        }
    }
}
