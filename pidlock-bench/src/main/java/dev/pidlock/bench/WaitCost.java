package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * What a waiter costs while it waits: this JVM holds the lock, a child JVM waits for it with
 * {@code acquire(timeout)}; after a settling second, the child's CPU time over the measured seconds (the whole
 * process, {@code utime + stime} from {@code /proc/PID/stat}, and the waiting thread's run time from
 * {@code /proc/PID/task/TID/schedstat}) and the waiting thread's context switches (voluntary and involuntary,
 * from {@code /proc/PID/task/TID/status}): its wake-ups. Linux only.
 *
 * <pre>java -cp benchmarks.jar dev.pidlock.bench.WaitCost BACKEND [SECONDS] [DIR]</pre>
 */
public final class WaitCost {
    private WaitCost() {
    }

    /**
     * @param args backend (default ofd+flock), seconds measured (default 5), directory (default /dev/shm)
     * @throws Exception when the child fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--waiter")) {
            String tid = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
            System.out.println("waiting " + tid);
            System.out.flush();
            try (PidLock held = PidLock.at(Path.of(args[1])).backend(args[2]).acquire(Duration.ofMinutes(10))) {
                System.out.println("acquired");
            }
            return;
        }
        String backend = args.length > 0 ? args[0] : "ofd+flock";
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
        Path dir = Files.createTempDirectory(Path.of(args.length > 2 ? args[2] : "/dev/shm"), "pidlock-waitcost-");
        Path pidfile = dir.resolve("waitcost.pid");
        long ticksPerSecond = Long.parseLong(new String(new ProcessBuilder("getconf", "CLK_TCK").start()
                .getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim());
        Process child = null;
        try (PidLock held = PidLock.at(pidfile).backend(backend).acquire()) {
            child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.util.logging.config.file=/dev/null", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    WaitCost.class.getName(), "--waiter", pidfile.toString(), backend)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null || !line.startsWith("waiting ")) {
                throw new IllegalStateException("waiter said " + line);
            }
            String tid = line.substring("waiting ".length());
            Thread.sleep(1500);
            Sample a = Sample.of(child.pid(), tid);
            Thread.sleep(seconds * 1000);
            Sample b = Sample.of(child.pid(), tid);
            double s = (b.nanos - a.nanos) / 1e9;
            System.out.printf(Locale.ROOT, "wait cost %s: over %.1f s, process %.2f %% of a core, waiting thread"
                    + " %.3f %% of a core and %.1f wake-ups a second%n", backend, s,
                    100.0 * (b.ticks - a.ticks) / ticksPerSecond / s, 100.0 * (b.threadNanos - a.threadNanos) / 1e9 / s,
                    (b.switches - a.switches) / s);
            held.close();
            String got = in.readLine();
            if (!"acquired".equals(got)) {
                throw new IllegalStateException("waiter said " + got);
            }
            child.waitFor();
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
            Files.deleteIfExists(pidfile);
            Files.deleteIfExists(dir);
        }
    }

    /** One look at the waiting process. */
    private record Sample(long nanos, long ticks, long threadNanos, long switches) {
        static Sample of(long pid, String tid) throws IOException {
            long now = System.nanoTime();
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            Path task = Path.of("/proc/" + pid + "/task/" + tid);
            long threadNanos = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
            long switches = 0;
            for (String l : Files.readAllLines(task.resolve("status"))) {
                if (l.startsWith("voluntary_ctxt_switches:") || l.startsWith("nonvoluntary_ctxt_switches:")) {
                    switches += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                }
            }
            return new Sample(now, ticks, threadNanos, switches);
        }
    }
}
