package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A holder in this JVM loses its lock: its lease revoked behind its back, or the cluster gone for longer than
 * the TTL (2 s). Each test starts its own etcd member. Waits have generous bounds that only keep a broken test
 * from hanging.
 */
class EtcdLossTest {

    @TempDir
    Path tmp;

    @Test
    void aLeaseRevokedBehindTheHoldersBackIsLostAndTheListenerRunsOnAPidlockThread() throws Exception {
        try (EtcdTestServer server = EtcdTestServer.start()) {
            EtcdBackend etcd = EtcdLockTest.backend(server.endpoint());
            CompletableFuture<String> listener = new CompletableFuture<>();
            PidLock lock = PidLock.at(tmp.resolve("revoked.pid")).backend(etcd).acquire();
            lock.onLost(() -> listener.complete(Thread.currentThread().getName()));
            EtcdClient client = new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint())
                    .lookup(n -> null).build());
            Object kv = Json.arr(client.range(etcd.keyFor(lock.path())), "kvs").get(0);
            client.revoke(Json.int64(kv, "lease").orElseThrow());
            String thread = listener.get(30, TimeUnit.SECONDS);
            assertTrue(thread.startsWith("pidlock-etcd"), thread);
            assertFalse(lock.isHeld());
            lock.close(); // a lost lock closes without complaint
        }
    }

    @Test
    void aKeyDeletedBehindTheHoldersBackIsLostThoughItsLeaseLives() throws Exception {
        try (EtcdTestServer server = EtcdTestServer.start()) {
            EtcdBackend etcd = EtcdLockTest.backend(server.endpoint());
            CompletableFuture<Boolean> listener = new CompletableFuture<>();
            PidLock lock = PidLock.at(tmp.resolve("deleted.pid")).backend(etcd).acquire();
            lock.onLost(() -> listener.complete(true));
            EtcdClient client = new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint())
                    .lookup(n -> null).build());
            String key = etcd.keyFor(lock.path());
            client.txn(g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("success");
                g.writeStartObject();
                g.writeObjectFieldStart("request_delete_range");
                g.writeStringField("key", Json.b64(key));
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            });
            // another process may now take the key: the holder must learn that it no longer holds it
            assertTrue(listener.get(30, TimeUnit.SECONDS));
            assertFalse(lock.isHeld());
            lock.close();
        }
    }

    @Test
    void aKeyOverwrittenBehindTheHoldersBackIsLostAndTheReleaseLeavesTheNewValue() throws Exception {
        try (EtcdTestServer server = EtcdTestServer.start()) {
            EtcdBackend etcd = EtcdLockTest.backend(server.endpoint());
            CompletableFuture<Boolean> listener = new CompletableFuture<>();
            PidLock lock = PidLock.at(tmp.resolve("overwritten.pid")).backend(etcd).acquire();
            lock.onLost(() -> listener.complete(true));
            EtcdClient client = new EtcdClient(EtcdConfig.builder().endpoints(server.endpoint())
                    .lookup(n -> null).build());
            String key = etcd.keyFor(lock.path());
            client.txn(g -> { // a put without the holder's lease, as `etcdctl put KEY VALUE` does
                g.writeStartObject();
                g.writeArrayFieldStart("success");
                g.writeStartObject();
                g.writeObjectFieldStart("request_put");
                g.writeStringField("key", Json.b64(key));
                g.writeStringField("value", Json.b64("someone else"));
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            });
            assertTrue(listener.get(30, TimeUnit.SECONDS));
            assertFalse(lock.isHeld());
            lock.close();
            assertFalse(Json.arr(client.range(key), "kvs").isEmpty(), "the release deleted a value not its own");
        }
    }

    @Test
    void aHolderCutOffFromTheClusterForItsTtlLearnsItLostTheLock() throws Exception {
        EtcdTestServer server = EtcdTestServer.start();
        CompletableFuture<Boolean> listener = new CompletableFuture<>();
        PidLock lock;
        try {
            lock = PidLock.at(tmp.resolve("cut.pid")).backend(EtcdLockTest.backend(server.endpoint())).acquire();
            lock.onLost(() -> listener.complete(true));
            assertTrue(lock.isHeld());
        } finally {
            server.close();
        }
        assertTrue(listener.get(30, TimeUnit.SECONDS));
        assertFalse(lock.isHeld());
        lock.close(); // the cluster is gone: the release gives up quietly
    }
}
