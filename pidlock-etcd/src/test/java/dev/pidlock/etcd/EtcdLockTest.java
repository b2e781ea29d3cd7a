package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidFileAccessException;
import dev.pidlock.PidLock;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backend etcd in one JVM against a real single-member etcd on loopback. */
class EtcdLockTest {

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

    static EtcdBackend backend(String... endpoints) {
        return new EtcdBackend(EtcdConfig.builder().endpoints(endpoints).leaseTtl(Duration.ofSeconds(2))
                .lookup(name -> null).build());
    }

    /** The same name in two directories: one key, so one holder (two hosts' runtime directories, in effect). */
    private Path[] twoDirs(String name) throws IOException {
        return new Path[] {Files.createDirectories(tmp.resolve("a")).resolve(name + ".pid"),
            Files.createDirectories(tmp.resolve("b")).resolve(name + ".pid")};
    }

    @Test
    void cycleAndContentionAcrossDirectories() throws Exception {
        EtcdBackend etcd = backend(server.endpoint());
        Path[] p = twoDirs("cycle");
        long first;
        try (PidLock a = PidLock.at(p[0]).backend(etcd).acquire()) {
            assertTrue(a.isHeld());
            assertEquals("etcd", a.backend());
            first = a.fencingToken().orElseThrow();
            assertEquals(Optional.empty(), PidLock.at(p[1]).backend(etcd).tryAcquire().map(l -> {
                l.close();
                return "taken twice";
            }));
            assertTrue(Files.exists(p[0]), "the local pidfile records the holder on its host");
        }
        try (PidLock b = PidLock.at(p[1]).backend(etcd).tryAcquire().orElseThrow()) {
            assertTrue(b.fencingToken().orElseThrow() > first, b.fencingToken() + " after " + first);
        }
    }

    @Test
    void aWaiterIsWokenByTheRelease() throws Exception {
        EtcdBackend etcd = backend(server.endpoint());
        Path[] p = twoDirs("wake");
        PidLock a = PidLock.at(p[0]).backend(etcd).acquire();
        CompletableFuture<OptionalLong> waiter = CompletableFuture.supplyAsync(() -> {
            try (PidLock b = PidLock.at(p[1]).backend(etcd).acquire(Duration.ofSeconds(60))) {
                return b.fencingToken();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(waiter.isDone(), "the waiter got the lock while it was held");
        long first = a.fencingToken().orElseThrow();
        a.close();
        assertTrue(waiter.get(60, TimeUnit.SECONDS).orElseThrow() > first);
    }

    @Test
    void fencingTokensStrictlyIncreaseOverAHundredHandOvers() throws Exception {
        EtcdBackend etcd = backend(server.endpoint());
        Path[] p = twoDirs("fence");
        long last = 0;
        for (int i = 0; i < 100; i++) {
            try (PidLock l = PidLock.at(p[i % 2]).backend(etcd).acquire()) {
                long t = l.fencingToken().orElseThrow();
                assertTrue(t > last, "hand-over " + i + ": token " + t + " after " + last);
                last = t;
            }
        }
    }

    @Test
    void aReleasedLockHasNoTokenAndANonLeasedBackendNeverLoses() throws Exception {
        EtcdBackend etcd = backend(server.endpoint());
        PidLock l = PidLock.at(tmp.resolve("gone.pid")).backend(etcd).acquire();
        l.close();
        assertEquals(OptionalLong.empty(), l.fencingToken());
        assertFalse(l.isHeld());
    }

    @Test
    void anUnreachableEndpointIsOneLineNamingItAndNotContention() throws Exception {
        String dead = "http://127.0.0.1:" + freePort();
        EtcdBackend etcd = backend(dead);
        PidFileAccessException e = assertThrows(PidFileAccessException.class,
                () -> PidLock.at(tmp.resolve("x.pid")).backend(etcd).tryAcquire());
        assertTrue(e.getMessage().contains(dead) && e.getMessage().contains("unreachable"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getCause() instanceof EtcdException ee && ee.kind() == EtcdException.Kind.UNREACHABLE,
                String.valueOf(e.getCause()));
    }

    /** https:// to a member that speaks plain HTTP: the handshake fails, one line of kind TLS, not contention. */
    @Test
    void aTlsFailureIsOneLineNamingTheEndpointAndNotContention() throws Exception {
        String https = server.endpoint().replace("http://", "https://");
        EtcdBackend etcd = backend(https);
        PidFileAccessException e = assertThrows(PidFileAccessException.class,
                () -> PidLock.at(tmp.resolve("tls.pid")).backend(etcd).tryAcquire());
        assertTrue(e.getMessage().contains(https) && e.getMessage().contains("TLS"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getCause() instanceof EtcdException ee && ee.kind() == EtcdException.Kind.TLS,
                String.valueOf(e.getCause()));
    }

    @Test
    void theNextEndpointIsTriedWhenOneIsUnreachable() throws Exception {
        EtcdBackend etcd = backend("http://127.0.0.1:" + freePort(), server.endpoint());
        try (PidLock l = PidLock.at(tmp.resolve("failover.pid")).backend(etcd).acquire()) {
            assertTrue(l.isHeld());
        }
    }

    @Test
    void aHolderOnThisHostIsReportedWithItsPid() throws Exception {
        EtcdBackend etcd = backend(server.endpoint());
        Path[] p = twoDirs("probe");
        try (PidLock a = PidLock.at(p[0]).backend(etcd).acquire()) {
            EtcdLock other = new EtcdLock(new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint())
                    .lookup(name -> null).build()), etcd.keyFor(p[1]), Duration.ofSeconds(2));
            assertEquals(java.util.OptionalLong.of(ProcessHandle.current().pid()), other.probe().holderPid());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
