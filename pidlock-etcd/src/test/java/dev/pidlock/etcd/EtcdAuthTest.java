package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidFileAccessException;
import dev.pidlock.PidLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * User/password authentication against a member with auth enabled (a light test: a root user only). TLS is
 * implemented but not tested here.
 */
class EtcdAuthTest {

    static EtcdTestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startEtcdWithAuth() throws Exception {
        server = EtcdTestServer.start();
        EtcdClient admin = new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint()).lookup(n -> null).build());
        for (String[] c : new String[][] {{"/v3/auth/user/add", "{\"name\":\"root\",\"password\":\"rootpw\"}"},
            {"/v3/auth/role/add", "{\"name\":\"root\"}"}, {"/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}"},
            {"/v3/auth/enable", "{}"}}) {
            admin.call(c[0], c[1].getBytes(StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    static void stopEtcd() {
        if (server != null) {
            server.close();
        }
    }

    private static EtcdBackend backend(String user, String password) {
        EtcdConfig.Builder b = EtcdConfig.builder().endpoints(server.endpoint()).leaseTtl(Duration.ofSeconds(2))
                .lookup(n -> null);
        if (user != null) {
            b.credentials(user, password);
        }
        return new EtcdBackend(b.build());
    }

    private void assertAuthFailure(EtcdBackend etcd) {
        PidFileAccessException e = assertThrows(PidFileAccessException.class,
                () -> PidLock.at(tmp.resolve("auth.pid")).backend(etcd).tryAcquire());
        assertTrue(e.getMessage().contains(server.endpoint()) && e.getMessage().contains("authentication failed"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getCause() instanceof EtcdException ee && ee.kind() == EtcdException.Kind.AUTH,
                String.valueOf(e.getCause()));
    }

    @Test
    void withoutCredentialsItIsAnAuthenticationFailure() {
        assertAuthFailure(backend(null, null));
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailure() {
        assertAuthFailure(backend("root", "wrong"));
    }

    @Test
    void withTheRightPasswordItLocksAndAWaiterIsWoken() throws Exception {
        EtcdBackend etcd = backend("root", "rootpw");
        Path a = Files.createDirectories(tmp.resolve("a")).resolve("auth.pid");
        Path b = Files.createDirectories(tmp.resolve("b")).resolve("auth.pid");
        PidLock first = PidLock.at(a).backend(etcd).acquire();
        CompletableFuture<OptionalLong> waiter = CompletableFuture.supplyAsync(() -> {
            try (PidLock second = PidLock.at(b).backend(etcd).acquire(Duration.ofSeconds(60))) {
                return second.fencingToken();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertFalse(waiter.isDone());
        long token = first.fencingToken().orElseThrow();
        first.close();
        assertTrue(waiter.get(60, TimeUnit.SECONDS).orElseThrow() > token);
    }
}
