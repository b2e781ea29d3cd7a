package dev.pidlock.etcd;

import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockHolder;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The exclusion of one pidfile: the key {@code PREFIX + NAME} (the pidfile's file name without {@code .pid}) on
 * the cluster, created only when absent and bound to a lease this holder keeps alive from a daemon thread. The
 * key's {@code create_revision} is the fencing token. Waiting watches the key for its deletion.
 */
final class EtcdLock implements Exclusion {

    static final System.Logger LOG = System.getLogger("dev.pidlock.etcd");

    /** How often a waiter whose holder is on this host looks again whether that holder died. */
    private static final long REJUDGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final EtcdClient client;
    private final String key;
    private final long ttlSeconds;
    private volatile Holding held;
    /** The revision of the last failed attempt: a watch starts after it. */
    private long seenRevision;
    /** The holder the last failed attempt saw. */
    private Optional<Holder> seenHolder = Optional.empty();

    EtcdLock(EtcdClient client, String key, Duration ttl) {
        this.client = client;
        this.key = key;
        this.ttlSeconds = Math.max(1, ttl.toSeconds());
    }

    String key() {
        return key;
    }

    @Override
    public boolean tryLock() throws IOException {
        Holding h = held;
        if (h != null && !h.isLost()) {
            return true;
        }
        for (int round = 0; round < 3; round++) {
            long sent = System.nanoTime();
            long lease = client.grant(ttlSeconds);
            Object r;
            try {
                byte[] value = Holder.self().toJson();
                r = client.txn(g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("compare");
                    g.writeStartObject();
                    g.writeStringField("target", "CREATE");
                    g.writeStringField("key", Json.b64(key));
                    g.writeStringField("create_revision", "0");
                    g.writeEndObject();
                    g.writeEndArray();
                    g.writeArrayFieldStart("success");
                    g.writeStartObject();
                    g.writeObjectFieldStart("request_put");
                    g.writeStringField("key", Json.b64(key));
                    g.writeStringField("value", Json.b64(value));
                    g.writeStringField("lease", Long.toString(lease));
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeEndArray();
                    g.writeArrayFieldStart("failure");
                    g.writeStartObject();
                    g.writeObjectFieldStart("request_range");
                    g.writeStringField("key", Json.b64(key));
                    g.writeEndObject();
                    g.writeEndObject();
                    g.writeEndArray();
                    g.writeEndObject();
                });
            } catch (IOException | RuntimeException e) {
                revokeQuietly(lease);
                throw e;
            }
            long revision = Json.int64(Json.obj(r, "header"), "revision").orElse(0);
            if (Json.bool(r, "succeeded")) {
                Holding mine = new Holding(lease, revision, sent);
                held = mine;
                mine.start();
                LOG.log(Level.DEBUG, () -> "took " + key + " (lease " + Long.toHexString(lease) + ", revision "
                        + revision + ")");
                return true;
            }
            revokeQuietly(lease);
            seenRevision = revision;
            Map<String, Object> kv = firstKv(r);
            if (kv.isEmpty()) {
                continue; // deleted between the compare and the range: try again
            }
            seenHolder = Json.str(kv, "value").flatMap(v -> Holder.parse(Json.unb64(v)));
            if (seenHolder.isPresent() && seenHolder.get().certainlyDead()) {
                breakStale(kv, seenHolder.get());
                continue;
            }
            return false;
        }
        return false;
    }

    private static Map<String, Object> firstKv(Object txn) {
        for (Object resp : Json.arr(txn, "responses")) {
            List<Object> kvs = Json.arr(Json.obj(resp, "response_range"), "kvs");
            if (!kvs.isEmpty()) {
                return Json.obj(Map.of("kv", kvs.get(0)), "kv");
            }
        }
        return Map.of();
    }

    /**
     * Frees a key whose holder is a dead process of this host and boot: revokes its lease (which deletes the key);
     * a key without a lease is deleted if it was not changed meanwhile.
     */
    private void breakStale(Map<String, Object> kv, Holder dead) throws IOException {
        long lease = Json.int64(kv, "lease").orElse(0);
        long mod = Json.int64(kv, "mod_revision").orElse(0);
        LOG.log(Level.INFO, () -> "freeing " + key + ": its holder, " + dead + ", is dead");
        if (lease != 0) {
            client.revoke(lease);
        } else {
            client.deleteIf(key, new EtcdClient.Compare("MOD", "mod_revision", mod));
        }
    }

    private void revokeQuietly(long lease) {
        try {
            client.revoke(lease);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "revoking unused lease " + Long.toHexString(lease) + ": " + e.getMessage());
        }
    }

    /** Waits with a watch on the key for its deletion, then tries again, until taken or the timeout passed. */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, Math.min(timeout.toNanos(), Long.MAX_VALUE / 4));
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for etcd key " + key);
            }
            if (tryLock()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            boolean local = seenHolder.map(Holder::onThisHost).orElse(false);
            long slice = local ? Math.min(left, REJUDGE_NANOS) : left;
            long began = System.nanoTime();
            boolean changed = awaitDeletion(slice);
            if (!changed && System.nanoTime() - began < TimeUnit.MILLISECONDS.toNanos(50)) {
                Thread.sleep(50); // the watch failed at once: do not spin
            }
        }
    }

    /** @return whether the key was deleted (or the watch ended) within {@code nanos} */
    private boolean awaitDeletion(long nanos) throws IOException, InterruptedException {
        CompletableFuture<Void> deleted = new CompletableFuture<>();
        EtcdClient.Watch w = client.watch(key, seenRevision + 1, message -> {
            Map<String, Object> result = Json.obj(message, "result");
            if (result.isEmpty() || Json.bool(result, "canceled")) {
                deleted.complete(null);
                return;
            }
            for (Object event : Json.arr(result, "events")) {
                if ("DELETE".equals(Json.str(event, "type").orElse("PUT"))) {
                    deleted.complete(null);
                }
            }
        });
        w.ended.whenComplete((v, t) -> deleted.complete(null));
        try {
            deleted.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } finally {
            w.cancel();
        }
    }

    @Override
    public LockProbe probe() throws IOException {
        Object r = client.range(key);
        List<Object> kvs = Json.arr(r, "kvs");
        if (kvs.isEmpty()) {
            return LockProbe.free();
        }
        Optional<Holder> holder = Json.str(kvs.get(0), "value").flatMap(v -> Holder.parse(Json.unb64(v)));
        if (holder.isEmpty()) {
            return LockProbe.held();
        }
        Holder h = holder.get();
        if (h.onThisHost() && h.certainlyDead()) {
            return LockProbe.free();
        }
        OptionalLong token = Json.int64(kvs.get(0), "create_revision");
        return LockProbe.heldBy(new LockHolder(h.host(), h.pid(), instant(h.start()),
                Optional.of(h.bootId()).filter(b -> !b.isEmpty()), token.orElse(0) > 0 ? token : OptionalLong.empty(),
                h.onThisHost(), "etcd key " + key));
    }

    private static Optional<Instant> instant(String iso) {
        try {
            return iso.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    @Override
    public void unlock() throws IOException {
        Holding h = held;
        held = null;
        if (h == null) {
            return;
        }
        h.stop();
        if (h.isLost()) {
            // given up already: the lease is gone or expires by itself, and the cluster may be out of reach
            revokeQuietly(h.lease);
            return;
        }
        // ours: created by our transaction, and still bound to our lease (a value put over ours is not ours to delete)
        client.deleteIf(key, new EtcdClient.Compare("CREATE", "create_revision", h.revision),
                new EtcdClient.Compare("LEASE", "lease", h.lease));
        client.revoke(h.lease);
    }

    @Override
    public OptionalLong fencingToken() {
        Holding h = held;
        return h == null ? OptionalLong.empty() : OptionalLong.of(h.revision);
    }

    @Override
    public boolean lost() {
        Holding h = held;
        return h != null && h.isLost();
    }

    @Override
    public void onLost(Runnable listener) {
        Holding h = held;
        if (h != null) {
            h.onLost(listener);
        }
    }

    @Override
    public String toString() {
        Holding h = held;
        return "EtcdLock[" + key + (h != null ? ", held, revision " + h.revision : "") + "]";
    }

    /**
     * One holding: the lease, the key's create revision, and the daemon thread that keeps the lease alive every
     * third of its TTL. Lost when a keep-alive answers that the lease is gone, when the key is no longer the one it
     * created bound to its lease (deleted or put over behind its back, looked at after each renewal), or when no
     * renewal succeeded for a whole TTL (etcd counts the TTL from when it received the renewal, later than it was sent, so the lease may
     * outlive that by the renewal's transit; never the other way round).
     */
    final class Holding implements Runnable {
        final long lease;
        final long revision;
        private final long ttlNanos;
        private volatile long renewedAt;
        private volatile String lostReason;
        private volatile boolean stopped;
        private boolean listenersRun;
        private final List<Runnable> listeners = new ArrayList<>();
        private final Thread thread;
        private final Thread watchdog;

        Holding(long lease, long revision, long sentAt) {
            this.lease = lease;
            this.revision = revision;
            this.ttlNanos = TimeUnit.SECONDS.toNanos(ttlSeconds);
            this.renewedAt = sentAt;
            this.thread = new Thread(this, "pidlock-etcd-keepalive " + key);
            thread.setDaemon(true);
            this.watchdog = new Thread(this::watch, "pidlock-etcd-watchdog " + key);
            watchdog.setDaemon(true);
        }

        void start() {
            thread.start();
            watchdog.start();
        }

        /**
         * Tells the listeners when the TTL has passed without a renewal, even while the renewal thread waits for an
         * answer that may take up to the request timeout (a cluster that accepts but does not answer, a partition
         * that drops packets): the lease may have expired on the cluster by then, and another process may hold it.
         */
        private void watch() {
            try {
                synchronized (this) {
                    long wait;
                    while (!stopped && lostReason == null && (wait = renewedAt + ttlNanos - System.nanoTime()) > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, wait);
                    }
                }
                if (!stopped && isLost()) {
                    runListeners();
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }

        void stop() {
            stopped = true;
            synchronized (this) {
                notifyAll();
            }
        }

        boolean isLost() {
            if (lostReason != null) {
                return true;
            }
            if (!stopped && System.nanoTime() - renewedAt >= ttlNanos) {
                markLost("no renewal of lease " + Long.toHexString(lease) + " succeeded for its TTL of "
                        + ttlSeconds + " s");
                return true;
            }
            return false;
        }

        private void markLost(String reason) {
            synchronized (this) {
                if (lostReason == null) {
                    lostReason = reason;
                    LOG.log(Level.WARNING, () -> "lost the lock " + key + ": " + reason);
                }
                notifyAll();
            }
        }

        void onLost(Runnable listener) {
            boolean now;
            synchronized (this) {
                now = listenersRun;
                if (!now) {
                    listeners.add(listener);
                }
            }
            if (now) {
                listener.run();
            } else if (isLost()) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        private void runListeners() {
            List<Runnable> run;
            synchronized (this) {
                if (listenersRun) {
                    return;
                }
                listenersRun = true;
                run = List.copyOf(listeners);
                listeners.clear();
            }
            for (Runnable r : run) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, () -> "a listener of the lost lock " + key + " failed: " + e);
                }
            }
        }

        /**
         * A live lease does not mean a held key: the key may have been deleted or put over (without our lease)
         * behind our back, and then another process may take it. Looked at after each renewal.
         *
         * @return why the key is no longer ours, or null when it is (or the look failed: the next renewal looks
         *         again, and a cluster out of reach is judged by the renewals)
         */
        private String keyNoLongerOurs() {
            try {
                List<Object> kvs = Json.arr(client.range(key), "kvs");
                if (kvs.isEmpty()) {
                    return "its key was deleted while lease " + Long.toHexString(lease) + " was alive";
                }
                long created = Json.int64(kvs.get(0), "create_revision").orElse(0);
                long bound = Json.int64(kvs.get(0), "lease").orElse(0);
                if (created != revision || bound != lease) {
                    return "its key was replaced (create revision " + created + ", lease " + Long.toHexString(bound)
                            + ") while lease " + Long.toHexString(lease) + " was alive";
                }
                return null;
            } catch (EtcdException e) {
                LOG.log(Level.DEBUG, () -> "looking at " + key + " failed: " + e.getMessage());
                return null;
            }
        }

        @Override
        public void run() {
            long interval = Math.max(TimeUnit.MILLISECONDS.toNanos(200), ttlNanos / 3);
            long retry = Math.max(TimeUnit.MILLISECONDS.toNanos(100), ttlNanos / 10);
            long next = renewedAt + interval;
            try {
                while (!stopped) {
                    synchronized (this) {
                        long wait;
                        while (!stopped && lostReason == null && (wait = next - System.nanoTime()) > 0) {
                            TimeUnit.NANOSECONDS.timedWait(this, wait);
                        }
                    }
                    if (stopped) {
                        return;
                    }
                    if (isLost()) {
                        runListeners();
                        return;
                    }
                    long sent = System.nanoTime();
                    try {
                        long granted = client.keepAlive(lease);
                        if (granted <= 0) {
                            if (!stopped) {
                                markLost("etcd says lease " + Long.toHexString(lease) + " is gone (expired)");
                            }
                        } else if (lostReason == null) {
                            renewedAt = sent;
                            next = sent + interval;
                            String gone = keyNoLongerOurs();
                            if (gone != null && !stopped) {
                                markLost(gone);
                            }
                            continue;
                        }
                    } catch (EtcdException e) {
                        LOG.log(Level.DEBUG, () -> "keepalive of " + key + " failed: " + e.getMessage());
                        next = System.nanoTime() + retry;
                    }
                }
            } catch (InterruptedException e) {
                // stopped
            }
        }
    }
}
