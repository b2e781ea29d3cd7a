package dev.pidlock.etcd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
            client.deleteIf(key); // no condition: as `etcdctl del KEY` does
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
    void aHolderWhoseClusterFallsSilentIsToldWhenItsTtlPassedNotWhenItsRequestTimesOut() throws Exception {
        // a TTL of 1 s: renewals every 333 ms, a request timeout of 1 s; the first request the silent proxy holds
        // starts after the last renewal, so it times out after the TTL has passed
        try (EtcdTestServer server = EtcdTestServer.start();
                SilentProxy proxy = new SilentProxy(URI.create(server.endpoint()).getPort())) {
            EtcdBackend etcd = new EtcdBackend(EtcdConfig.builder().endpoints(proxy.endpoint())
                    .leaseTtl(Duration.ofSeconds(1)).lookup(n -> null).build());
            CompletableFuture<Boolean> timedOutFirst = new CompletableFuture<>();
            PidLock lock = PidLock.at(tmp.resolve("silent.pid")).backend(etcd).acquire();
            lock.onLost(() -> timedOutFirst.complete(proxy.clientGaveUp.get()));
            proxy.fallSilent();
            assertFalse(timedOutFirst.get(30, TimeUnit.SECONDS),
                    "the holder was told only after its request to the silent cluster timed out, past its TTL");
            lock.close();
        }
    }

    /**
     * Forwards to etcd until {@link #fallSilent()}: then it cuts every forwarded connection and holds new ones open
     * without answering, as a partition that drops packets does; {@link #clientGaveUp} turns true when a client
     * closes such a connection (its request timed out).
     */
    static final class SilentProxy implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicBoolean clientGaveUp = new AtomicBoolean();
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile boolean silent;
        private final int target;

        SilentProxy(int target) throws IOException {
            this.target = target;
            daemon(this::accept);
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        void fallSilent() {
            silent = true;
            open.forEach(SilentProxy::closeQuietly);
        }

        private void accept() {
            try {
                while (true) {
                    Socket c = server.accept();
                    open.add(c);
                    if (silent) {
                        daemon(() -> {
                            try (InputStream in = c.getInputStream()) {
                                while (in.read(new byte[4096]) >= 0) {
                                    // swallowed, never answered
                                }
                                clientGaveUp.set(true);
                            } catch (IOException e) {
                                clientGaveUp.set(true);
                            }
                        });
                    } else {
                        Socket e = new Socket(InetAddress.getLoopbackAddress(), target);
                        open.add(e);
                        daemon(() -> pump(c, e));
                        daemon(() -> pump(e, c));
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        private static void pump(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
            } catch (IOException e) {
                // cut
            }
            closeQuietly(from);
            closeQuietly(to);
        }

        private static void daemon(Runnable r) {
            Thread t = new Thread(r, "silent-proxy");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // closed already
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            open.forEach(SilentProxy::closeQuietly);
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
