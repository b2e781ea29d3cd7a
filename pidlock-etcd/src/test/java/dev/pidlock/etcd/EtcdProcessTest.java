package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import dev.pidlock.testkit.ChildProcess;
import dev.pidlock.testkit.Ledger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend etcd with real child JVMs against a real single-member etcd: a killed holder, a stopped holder that
 * loses its lease, a same-host dead holder freed at once, and children posing as different hosts racing on one
 * name. Lease TTL 2 s. Waits here have generous bounds that only keep a broken test from hanging.
 */
class EtcdProcessTest {

    static final int TTL = 2;
    static EtcdTestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startEtcd() throws Exception {
        server = EtcdTestServer.start();
    }

    @AfterAll
    static void stopEtcd() {
        if (server != null) {
            server.close();
        }
    }

    /** A child JVM running {@link EtcdChild} as host {@code host} (null: as this host), with lease TTL {@code ttl}. */
    static ChildProcess child(String host, int ttl, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(ChildProcess.javaCommand(EtcdChild.class.getName(), args));
        List<String> props = new ArrayList<>(List.of("-Ddev.pidlock.etcd.endpoints=" + server.endpoint(),
                "-Ddev.pidlock.etcd.ttl=" + ttl));
        if (host != null) {
            props.add("-Ddev.pidlock.etcd.testHostId=" + host);
        }
        cmd.addAll(1, props);
        return ChildProcess.start(null, cmd);
    }

    private Path pidfile(String dir, String name) throws IOException {
        return Files.createDirectories(tmp.resolve(dir)).resolve(name + ".pid");
    }

    private static EtcdBackend backend() {
        return EtcdLockTest.backend(server.endpoint());
    }

    @Test
    void aKilledHoldersLockGoesToTheNextAcquirerWithinItsTtl() throws Exception {
        try (ChildProcess holder = child("host-a", TTL, "hold", pidfile("a", "killed").toString())) {
            long token = Long.parseLong(holder.expect("HELD ").substring(5));
            holder.signal("KILL");
            holder.waitFor();
            // another host: only the lease's expiry frees it; TTL + a margin of 8 s
            try (PidLock next = PidLock.at(pidfile("b", "killed")).backend(backend())
                    .acquire(Duration.ofSeconds(TTL + 8))) {
                assertTrue(next.fencingToken().orElseThrow() > token);
            }
        }
    }

    @Test
    void aDeadHolderOfThisHostIsFreedAtOnce() throws Exception {
        // the holder's lease would last a minute; it is on this host and dead, so the next acquirer revokes it
        try (ChildProcess holder = child(null, 60, "hold", pidfile("a", "local").toString())) {
            holder.expect("HELD ");
            holder.signal("KILL");
            holder.waitFor();
            Optional<PidLock> next = PidLock.at(pidfile("b", "local")).backend(backend()).tryAcquire();
            assertTrue(next.isPresent(), "a dead holder of this host was not freed");
            next.get().close();
        }
    }

    @Test
    void aLiveHolderInAnotherPidNamespaceOfThisHostIsNeverJudged() throws Exception {
        // a container on this kernel: same host name and boot id, but its pid (1 here) is a pid of its own
        // namespace; judged from here, pid 1 is init, started at another time, and the holder looked dead
        List<String> cmd = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                ChildProcess.javaCommand(EtcdChild.class.getName()).get(0),
                "-Ddev.pidlock.etcd.endpoints=" + server.endpoint(), "-Ddev.pidlock.etcd.ttl=60"));
        List<String> java = ChildProcess.javaCommand(EtcdChild.class.getName(), "hold",
                pidfile("a", "container").toString());
        cmd.addAll(java.subList(1, java.size()));
        try (ChildProcess holder = ChildProcess.start(null, cmd)) {
            holder.expect("HELD ");
            Optional<PidLock> next = PidLock.at(pidfile("b", "container")).backend(backend()).tryAcquire();
            next.ifPresent(PidLock::close);
            assertTrue(next.isEmpty(), "the live holder in another pid namespace was judged dead");
        }
    }

    @Test
    void aStoppedHolderLosesTheLockAndLearnsItWhenContinued() throws Exception {
        try (ChildProcess holder = child("host-a", TTL, "hold", pidfile("a", "stopped").toString())) {
            long token = Long.parseLong(holder.expect("HELD ").substring(5));
            holder.signal("STOP");
            try (PidLock next = PidLock.at(pidfile("b", "stopped")).backend(backend())
                    .acquire(Duration.ofSeconds(TTL + 8))) {
                assertTrue(next.fencingToken().orElseThrow() > token);
                holder.signal("CONT");
                assertEquals("LOST", holder.nextLine(), "the listener was not called");
                holder.send("isheld");
                assertEquals("ISHELD false", holder.nextLine());
                holder.send("release");
                assertEquals("RELEASED", holder.nextLine());
                assertTrue(next.isHeld(), "the old holder's release took the new holder's key");
                EtcdLock look = new EtcdLock(new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint())
                        .lookup(n -> null).build()), backend().keyFor(next.path()), Duration.ofSeconds(TTL));
                assertEquals(java.util.OptionalLong.of(ProcessHandle.current().pid()), look.probe().holderPid());
            } finally {
                holder.signal("CONT");
            }
        }
    }

    @Test
    void childrenPosingAsHostsRacingOnOneNameNeverOverlap() throws Exception {
        int children = 3;
        int rounds = 15;
        Path ledgerFile = tmp.resolve("ledger");
        Files.createFile(ledgerFile);
        List<ChildProcess> racers = new ArrayList<>();
        try {
            for (int i = 0; i < children; i++) {
                racers.add(child("host-" + i, TTL, "race", pidfile("d" + i, "raced").toString(),
                        ledgerFile.toString(), "h" + i, Integer.toString(rounds)));
            }
            for (ChildProcess r : racers) {
                r.expect("READY ");
            }
            racers.forEach(r -> r.send("go"));
            for (int i = 0; i < children; i++) {
                assertEquals("DONE h" + i + " " + rounds, racers.get(i).nextLine(), racers.get(i).stderr());
            }
        } finally {
            racers.forEach(ChildProcess::close);
        }
        Ledger.Check check = Ledger.check(Files.readAllLines(ledgerFile));
        assertEquals(List.of(), check.violations());
        assertEquals((long) children * rounds, check.rounds());
    }
}
