package dev.pidlock.testkit;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.spi.LockBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The program a child JVM runs in the torture suites: rounds of acquire, critical section, release on one
 * pidfile, with delete-on-release (the default), every entry and exit appended to a shared {@link Ledger}.
 * It never opens the pidfile itself: pidlock does, and nothing else in this process.
 *
 * <pre>
 * ledger=PATH pidfile=PATH backend=ID [rounds=N] [seed=S] [hold=MICROS] [wait=MICROS] [blocking=PERCENT] [pausable]
 * </pre>
 *
 * <ul>
 * <li>{@code rounds}: how many rounds, then exit; 0 (the default) runs until told to stop.</li>
 * <li>{@code hold}: the longest critical section, in microseconds (a quarter of them last 0).</li>
 * <li>{@code wait}: the longest wait between rounds and the back-off after a busy {@code tryAcquire}, in
 *     microseconds (a quarter of the waits between rounds are 0).</li>
 * <li>{@code blocking}: the share of acquisitions, in percent, made with a blocking {@code acquire(Duration)}
 *     (mostly a long timeout, sometimes a short one that expires); the rest use {@code tryAcquire} and back off.</li>
 * <li>{@code pausable}: wrap the backend so that the child can be told to stop at a point of the algorithm and
 *     wait there to be killed.</li>
 * </ul>
 *
 * Protocol: warms up on a pidfile of its own beside {@code pidfile} (loading and probing the backend), prints
 * {@code READY ID} and waits for {@code go} on stdin before its first round; then reads {@code pause POINT}
 * (stop at the next {@code OPENED}, {@code LOCKED}, {@code INSIDE} or {@code DELETED}, print
 * {@code PAUSED POINT ID} and wait to be killed; at {@code LOCKED} it first appends {@code hold ID LOCKED} to the
 * ledger) and {@code stop} (finish the current round and exit; end of input does the same). At the end it prints
 * {@code DONE ID rounds=N timeouts=T busy=B} and exits 0; on any failure it prints {@code ERROR …} and exits 1.
 * The ID is the pid.
 *
 * @since 0.1
 */
public final class TortureChild {

    private final FileChannel ledger;
    private final String id = Long.toString(ProcessHandle.current().pid());
    private final SplittableRandom random;
    private final long rounds;
    private final int holdMax;
    private final int waitMax;
    private final int blocking;
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicReference<PausingBackend.Point> armed = new AtomicReference<>();
    private volatile boolean stop;
    private long timeouts;
    private long busy;

    private TortureChild(Map<String, String> options) throws IOException {
        this.ledger = FileChannel.open(Path.of(required(options, "ledger")), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.random = new SplittableRandom(Long.parseLong(options.getOrDefault("seed", "0"))
                ^ ProcessHandle.current().pid() * 0x9E3779B97F4A7C15L);
        this.rounds = Long.parseLong(options.getOrDefault("rounds", "0"));
        this.holdMax = Integer.parseInt(options.getOrDefault("hold", "2000"));
        this.waitMax = Integer.parseInt(options.getOrDefault("wait", "2000"));
        this.blocking = Integer.parseInt(options.getOrDefault("blocking", "50"));
    }

    /**
     * @param options the options described above, each one {@code key=value} (or a bare {@code key})
     * @return a {@code java} command line that runs this program with this JVM's class and module path
      * @since 0.1
     */
    public static List<String> command(String... options) {
        return ChildProcess.javaCommand(TortureChild.class.getName(), options);
    }

    /**
     * @param args the options described above
      * @since 0.1
     */
    public static void main(String[] args) {
        try {
            Map<String, String> options = new HashMap<>();
            for (String a : args) {
                int eq = a.indexOf('=');
                options.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
            }
            new TortureChild(options).run(options);
            System.exit(0);
        } catch (Throwable e) {
            say("ERROR " + e.getClass().getName() + " " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    private void run(Map<String, String> options) throws IOException, InterruptedException {
        Path pidfile = Path.of(required(options, "pidfile"));
        String backendId = required(options, "backend");
        PidLock.Builder builder = PidLock.at(pidfile);
        if (options.containsKey("pausable")) {
            builder.backend(new PausingBackend(find(backendId), this::at));
        } else {
            builder.backend(backendId);
        }
        // The first acquisition loads and probes the backend (JNA, a test lock), which takes a while: do it on a
        // file of our own before saying READY, so that all children contend from their first round.
        PidLock.at(pidfile.resolveSibling(pidfile.getFileName() + ".warmup-" + id)).backend(backendId).acquire()
                .close();
        Thread control = new Thread(this::obey, "torture-control");
        control.setDaemon(true);
        control.start();
        say("READY " + id);
        go.await();
        long round = 0;
        while (!stop && (rounds == 0 || round < rounds)) {
            PidLock lock = acquire(builder);
            append("enter " + id + " " + round);
            at(PausingBackend.Point.INSIDE);
            pause(random.nextInt(4) == 0 ? 0 : random.nextInt(holdMax + 1));
            append("exit " + id + " " + round);
            lock.close();
            round++;
            pause(random.nextInt(4) == 0 ? 0 : random.nextInt(waitMax + 1));
        }
        say("DONE " + id + " rounds=" + round + " timeouts=" + timeouts + " busy=" + busy);
    }

    /** Acquires, however long it takes: a blocking wait that times out, or a busy try, just goes round again. */
    private PidLock acquire(PidLock.Builder builder) throws InterruptedException {
        while (true) {
            if (random.nextInt(100) < blocking) {
                Duration timeout = random.nextInt(8) == 0 ? Duration.ofMillis(1 + random.nextInt(20))
                        : Duration.ofSeconds(30);
                try {
                    return builder.acquire(timeout);
                } catch (AlreadyLockedException e) {
                    timeouts++;
                }
            } else {
                Optional<PidLock> lock = builder.tryAcquire();
                if (lock.isPresent()) {
                    return lock.get();
                }
                busy++;
                pause(50 + random.nextInt(Math.max(waitMax, 200) + 1));
            }
        }
    }

    /** The hook of {@link PausingBackend}, and the {@code INSIDE} point: stops here for good when armed. */
    private void at(PausingBackend.Point point) throws IOException {
        if (!armed.compareAndSet(point, null)) {
            return;
        }
        if (point == PausingBackend.Point.LOCKED) {
            append("hold " + id + " " + point);
        }
        say("PAUSED " + point + " " + id);
        while (true) {
            LockSupport.park(this);
        }
    }

    private void obey() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "go" -> go.countDown();
                    case "pause" -> armed.set(PausingBackend.Point.valueOf(words[1]));
                    case "stop" -> stop = true;
                    default -> say("ERROR unknown command " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            say("ERROR control " + e);
        }
        stop = true;
        go.countDown();
    }

    private void append(String line) throws IOException {
        Ledger.appendLine(ledger, line);
    }

    private static void pause(int micros) {
        if (micros > 0) {
            LockSupport.parkNanos(micros * 1000L);
        }
    }

    private static LockBackend find(String backendId) {
        for (LockBackend b : ServiceLoader.load(LockBackend.class)) {
            if (b.id().equals(backendId)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no backend " + backendId + " on the class path");
    }

    private static String required(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing option " + key + "=…");
        }
        return value;
    }

    private static void say(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
