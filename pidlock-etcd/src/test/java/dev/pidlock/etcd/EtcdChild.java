package dev.pidlock.etcd;

import dev.pidlock.PidLock;
import dev.pidlock.testkit.Ledger;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child JVM of the etcd tests, with backend {@code etcd} found through {@link java.util.ServiceLoader} and
 * configured by system properties ({@code dev.pidlock.etcd.endpoints}, {@code .ttl}, {@code .testHostId}).
 *
 * <ul>
 *   <li>{@code hold PIDFILE}: acquires (waiting up to a minute), prints {@code HELD TOKEN}, prints {@code LOST}
 *       from the lost-listener when it runs, and answers stdin: {@code isheld} prints {@code ISHELD true|false},
 *       {@code release} releases and prints {@code RELEASED}; exits at the end of stdin.</li>
 *   <li>{@code race PIDFILE LEDGER ID ROUNDS}: prints {@code READY ID}, waits for a line on stdin, acquires and releases ROUNDS times, writing {@code enter} and
 *       {@code exit} lines to the ledger while it holds; prints {@code DONE ID ROUNDS}.</li>
 * </ul>
 */
public final class EtcdChild {

    private EtcdChild() {
    }

    public static void main(String[] args) throws Exception {
        Path pidfile = Path.of(args[1]);
        switch (args[0]) {
            case "hold" -> hold(pidfile);
            case "race" -> race(pidfile, Path.of(args[2]), args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void hold(Path pidfile) throws Exception {
        PidLock lock = PidLock.at(pidfile).backend("etcd").acquire(Duration.ofMinutes(1));
        lock.onLost(() -> say("LOST"));
        say("HELD " + lock.fencingToken().orElse(-1));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.strip()) {
                case "isheld" -> say("ISHELD " + lock.isHeld());
                case "release" -> {
                    lock.close();
                    say("RELEASED");
                }
                default -> say("? " + line);
            }
        }
    }

    private static void race(Path pidfile, Path ledgerFile, String id, int rounds) throws Exception {
        say("READY " + id);
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        try (Ledger ledger = Ledger.create(ledgerFile)) {
            for (int r = 0; r < rounds; r++) {
                try (PidLock lock = PidLock.at(pidfile).backend("etcd").acquire(Duration.ofMinutes(1))) {
                    ledger.append("enter " + id + " " + r);
                    Thread.sleep(2); // long enough for the others' attempts to meet the held key
                    ledger.append("exit " + id + " " + r);
                }
            }
        }
        say("DONE " + id + " " + rounds);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
