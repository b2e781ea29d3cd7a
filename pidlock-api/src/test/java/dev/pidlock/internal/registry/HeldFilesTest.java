package dev.pidlock.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.FileIdentity;
import java.io.Closeable;
import java.util.Optional;
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
}
