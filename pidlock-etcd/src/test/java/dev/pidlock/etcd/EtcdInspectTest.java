package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.testkit.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inspection of a lock on the cluster asks the cluster, whatever the local pidfile says: a holder on another host
 * (a child JVM posing as one) or in another directory of this host is seen although no pidfile exists here; a free
 * key leaves the local file's answer; an unreachable cluster is UNKNOWN with one line.
 */
class EtcdInspectTest {

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

    /** A child JVM holding {@code pidfile} as host {@code host} (null: as this host), with a lease of {@code ttl} s. */
    private static ChildProcess child(String host, int ttl, String... args) throws IOException {
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

    private static PidFileStatus inspect(Path pidfile) {
        return PidLock.at(pidfile).backend(EtcdLockTest.backend(server.endpoint())).inspect();
    }

    @Test
    void aHolderOnAnotherHostIsRunningThereThoughNoPidfileIsHere() throws Exception {
        try (ChildProcess holder = child("web-2", 30, "hold", pidfile("a", "feeder").toString())) {
            long token = Long.parseLong(holder.expect("HELD ").substring(5));
            Path here = pidfile("b", "feeder");
            PidFileStatus s = inspect(here);
            assertFalse(Files.exists(here));
            assertEquals(PidFileStatus.State.RUNNING, s.state(), s.toString());
            assertEquals(PidFileStatus.LockState.LOCKED, s.lock(), s.toString());
            assertEquals(OptionalLong.of(holder.pid()), s.pid(), s.toString());
            assertEquals(Optional.of("web-2"), s.host(), s.toString());
            assertEquals(OptionalLong.of(token), s.fencingToken(), s.toString());
            assertEquals(Optional.empty(), s.process(), "another host's process is never looked at: " + s);
            assertEquals("held by pid " + holder.pid() + " on host web-2 (etcd key /pidlock/feeder)", s.detail());
        }
    }

    @Test
    void aHolderOfThisHostInAnotherDirectoryIsRunningHereWithItsProcess() throws Exception {
        try (ChildProcess holder = child(null, 30, "hold", pidfile("a", "local").toString())) {
            long token = Long.parseLong(holder.expect("HELD ").substring(5));
            PidFileStatus s = inspect(pidfile("b", "local"));
            assertEquals(PidFileStatus.State.RUNNING, s.state(), s.toString());
            assertEquals(OptionalLong.of(holder.pid()), s.pid(), s.toString());
            assertEquals(holder.pid(), s.process().orElseThrow().pid(), s.toString());
            assertEquals(Optional.of(Holder.self().host()).filter(h -> !h.isEmpty()), s.host(), s.toString());
            assertEquals(OptionalLong.of(token), s.fencingToken(), s.toString());
        }
    }

    @Test
    void aHolderOfThisDirectoryIsAsTheLocalFileSaysWithItsHostAndToken() throws Exception {
        Path pidfile = pidfile("a", "same");
        try (ChildProcess holder = child(null, 30, "hold", pidfile.toString())) {
            long token = Long.parseLong(holder.expect("HELD ").substring(5));
            PidFileStatus s = inspect(pidfile);
            assertEquals(PidFileStatus.State.RUNNING, s.state(), s.toString());
            assertEquals(OptionalLong.of(holder.pid()), s.pid(), s.toString());
            assertEquals(OptionalLong.of(holder.pid()), s.recordedPid(), s.toString());
            assertTrue(s.process().isPresent(), s.toString());
            assertEquals(OptionalLong.of(token), s.fencingToken(), s.toString());
        }
    }

    @Test
    void aFreeKeyIsNotRunning() throws Exception {
        PidFileStatus s = inspect(pidfile("a", "free"));
        assertEquals(PidFileStatus.State.ABSENT, s.state(), s.toString());
        assertEquals(Optional.empty(), s.host());
    }

    @Test
    void anUnreachableClusterIsUnknownWithOneLineNamingTheEndpoint() throws Exception {
        String dead = "http://127.0.0.1:" + EtcdLockTest.freePort();
        Path pidfile = pidfile("a", "unreachable");
        PidFileStatus s = PidLock.at(pidfile).backend(EtcdLockTest.backend(dead)).inspect();
        assertEquals(PidFileStatus.State.UNKNOWN, s.state(), s.toString());
        assertEquals(PidFileStatus.LockState.UNKNOWN, s.lock(), s.toString());
        assertTrue(s.detail().contains(dead) && s.detail().contains("unreachable") && !s.detail().contains("\n"),
                s.detail());
    }
}
