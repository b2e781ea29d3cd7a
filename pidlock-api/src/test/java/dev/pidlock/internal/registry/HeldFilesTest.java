package dev.pidlock.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.FileIdentity;
import java.io.Closeable;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The registry never closes a descriptor of a file while another descriptor of it is claimed in this JVM
 * (closing any descriptor drops a POSIX lock), and allows one claim per file.
 */
class HeldFilesTest {
    private static final AtomicLong INODES = new AtomicLong(1_000_000);

    /** Records whether it was closed; does nothing else. */
    static final class Recorder implements Closeable {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    private final HeldFiles<Object> registry = new HeldFiles<>();

    private static FileIdentity fresh() {
        return new FileIdentity(-1, INODES.incrementAndGet());
    }

    @Test
    void aSecondDescriptorOfAClaimedFileIsParkedUntilTheClaimEnds() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        Recorder visitor = new Recorder();
        HeldFiles.Entry<Object> e1 = registry.opened(id);
        assertTrue(registry.claim(e1, holder));
        registry.held(e1, "owner");
        HeldFiles.Entry<Object> e2 = registry.opened(id);

        registry.close(e2, visitor, ex -> { });
        assertFalse(visitor.closed, "closing it now would drop the holder's POSIX lock");

        registry.close(e1, holder, ex -> { });
        assertTrue(holder.closed);
        assertTrue(visitor.closed, "parked descriptors close once the claim ends");
        assertEquals(Optional.empty(), registry.owner(id));
        assertFalse(registry.isClaimed(id));
    }

    @Test
    void oneClaimPerFile() {
        FileIdentity id = fresh();
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        HeldFiles.Entry<Object> e1 = registry.opened(id);
        HeldFiles.Entry<Object> e2 = registry.opened(id);
        assertTrue(registry.claim(e1, first));
        assertFalse(registry.claim(e2, second));
        assertTrue(registry.isClaimed(id));
        assertEquals(Optional.empty(), registry.owner(id), "claimed, not held yet");
        registry.close(e2, second, ex -> { });
        registry.close(e1, first, ex -> { });
        assertTrue(first.closed && second.closed);
    }

    @Test
    void aDescriptorOfUnknownFileWaitsUntilNothingIsClaimed() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        Recorder unknown = new Recorder();
        HeldFiles.Entry<Object> e = registry.opened(id);
        assertTrue(registry.claim(e, holder));
        registry.closeUnknown(unknown, ex -> { });
        assertFalse(unknown.closed, "it may be a descriptor of the claimed file");
        registry.close(e, holder, ex -> { });
        assertTrue(unknown.closed);

        Recorder later = new Recorder();
        registry.closeUnknown(later, ex -> { });
        assertTrue(later.closed, "nothing claimed: closed at once");
    }

    @Test
    void reentryCountsHoldsAndTheLastLeaveReleases() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        HeldFiles.Entry<Object> e = registry.opened(id);
        assertTrue(registry.claim(e, holder));
        Object owner = new Object();
        registry.held(e, owner);
        assertTrue(registry.enter(id, owner));
        assertFalse(registry.enter(id, new Object()), "only the owner re-enters");
        assertFalse(registry.leave(e));
        assertTrue(registry.leave(e));
        registry.close(e, holder, ex -> { });
    }

    /** Two registries over one state behave as two copies of pidlock (two class loaders) in one JVM. */
    @Test
    void copiesOverOneStateSeeEachOthersClaimsButNotEachOthersOwners() throws InterruptedException {
        ConcurrentHashMap<String, Object> state = new ConcurrentHashMap<>();
        HeldFiles<Object> a = new HeldFiles<>(state);
        HeldFiles<Object> b = new HeldFiles<>(state);
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        HeldFiles.Entry<Object> ea = a.opened(id);
        assertTrue(a.claim(ea, holder));
        Object owner = new Object();
        a.held(ea, owner);
        a.recorded(ea, 4242);

        HeldFiles.Entry<Object> eb = b.opened(id);
        Recorder visitor = new Recorder();
        assertFalse(b.claim(eb, visitor), "one claim per file and JVM, whichever copy");
        assertTrue(b.isClaimed(id));
        assertEquals(Optional.empty(), b.owner(id), "the other copy's owner is of another class: never handed out");
        assertFalse(b.enter(id, owner));
        assertEquals(4242, b.recordedPid(id).getAsLong());
        assertEquals(List.of(), b.owners(), "each copy releases its own holds at exit");
        assertEquals(List.of(owner), a.owners());
        b.close(eb, visitor, ex -> { });
        assertFalse(visitor.closed, "closing it now would drop the other copy's POSIX lock");
        assertFalse(b.awaitUnclaimed(id, 1_000_000), "still claimed by the other copy");

        Thread releaser = new Thread(() -> a.close(ea, holder, ex -> { }));
        releaser.start();
        assertTrue(b.awaitUnclaimed(id, TimeUnit.MINUTES.toNanos(1)), "a release by the other copy wakes a waiter");
        releaser.join();
        assertTrue(holder.closed && visitor.closed);
        assertTrue(state.isEmpty(), () -> "nothing left: " + state);
    }

    /**
     * Every copy keys a file by its "DEV:INO" text, whatever it keyed before: the key of the last file a copy
     * looked up is kept, and a copy that has looked up nothing yet must not take its empty starting point for the
     * key of device and inode -1 (a claim of that file by another copy would go unseen).
     */
    @Test
    void aFreshCopyKeysEveryFileAsTheOthersDo() throws Exception {
        ConcurrentHashMap<String, Object> state = new ConcurrentHashMap<>();
        HeldFiles<Object> a = new HeldFiles<>(state);
        a.opened(fresh()); // this copy's last key is now another file's
        FileIdentity id = new FileIdentity(-1, -1);
        Recorder holder = new Recorder();
        HeldFiles.Entry<Object> ea = a.opened(id);
        assertTrue(a.claim(ea, holder));

        URL classes = HeldFiles.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, null)) {
            Class<?> registry = loader.loadClass(HeldFiles.class.getName());
            Class<?> identity = loader.loadClass(FileIdentity.class.getName());
            Class<?> entry = loader.loadClass(HeldFiles.Entry.class.getName());
            Object b = registry.getConstructor(ConcurrentMap.class).newInstance(state);
            Object eb = registry.getMethod("opened", identity).invoke(b,
                    identity.getConstructor(long.class, long.class).newInstance(-1L, -1L));
            Method claim = registry.getMethod("claim", entry, Closeable.class);
            assertFalse((Boolean) claim.invoke(b, eb, new Recorder()),
                    () -> "another copy claimed dev=-1,ino=-1 too: " + state.keySet());
        }
    }

    @Test
    void theJvmWideStateIsOneMapInTheProperties() {
        Properties properties = new Properties();
        ConcurrentMap<String, Object> first = HeldFiles.anchor(properties);
        assertSame(first, HeldFiles.anchor(properties));
        assertSame(first, properties.get(HeldFiles.PROPERTY));

        Properties taken = new Properties();
        taken.setProperty(HeldFiles.PROPERTY, "something else");
        assertNotSame(HeldFiles.anchor(taken), HeldFiles.anchor(taken), "not ours: a registry of its own");
        assertEquals("something else", taken.getProperty(HeldFiles.PROPERTY));
    }
}
