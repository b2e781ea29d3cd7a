package dev.pidlock.internal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PidFileHandle;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The registry never closes a descriptor of a file while another descriptor of it is claimed in this JVM
 * (closing any descriptor drops a POSIX lock), and allows one claim per file.
 */
class HeldFilesTest {
    private static final AtomicLong INODES = new AtomicLong(1_000_000);

    /** Records whether it was closed; does nothing else. */
    static final class Recorder implements PidFileHandle {
        boolean closed;

        @Override
        public Path path() {
            return Path.of("/nowhere");
        }

        @Override
        public FileIdentity identity() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean tryLock() {
            return true;
        }

        @Override
        public boolean lock(Duration timeout) {
            return true;
        }

        @Override
        public LockProbe probe() {
            return LockProbe.unknown();
        }

        @Override
        public void unlock() {
        }

        @Override
        public byte[] read(int limit) {
            return new byte[0];
        }

        @Override
        public void replaceContent(byte[] content) {
        }

        @Override
        public void setMode(Set<PosixFilePermission> mode) {
        }

        @Override
        public void setOwner(String owner, String group) {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static FileIdentity fresh() {
        return new FileIdentity(-1, INODES.incrementAndGet());
    }

    @Test
    void aSecondDescriptorOfAClaimedFileIsParkedUntilTheClaimEnds() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        Recorder visitor = new Recorder();
        HeldFiles.Entry e1 = HeldFiles.opened(id);
        assertTrue(HeldFiles.claim(e1, holder));
        HeldFiles.held(e1, "owner");
        HeldFiles.Entry e2 = HeldFiles.opened(id);

        HeldFiles.close(e2, visitor, ex -> { });
        assertFalse(visitor.closed, "closing it now would drop the holder's POSIX lock");

        HeldFiles.close(e1, holder, ex -> { });
        assertTrue(holder.closed);
        assertTrue(visitor.closed, "parked descriptors close once the claim ends");
        assertEquals(Optional.empty(), HeldFiles.holder(id));
    }

    @Test
    void oneClaimPerFile() {
        FileIdentity id = fresh();
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        HeldFiles.Entry e1 = HeldFiles.opened(id);
        HeldFiles.Entry e2 = HeldFiles.opened(id);
        assertTrue(HeldFiles.claim(e1, first));
        assertFalse(HeldFiles.claim(e2, second));
        assertEquals(Optional.of(HeldFiles.CLAIMED), HeldFiles.holder(id));
        HeldFiles.close(e2, second, ex -> { });
        HeldFiles.close(e1, first, ex -> { });
        assertTrue(first.closed && second.closed);
    }

    @Test
    void aDescriptorOfUnknownFileWaitsUntilNothingIsClaimed() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        Recorder unknown = new Recorder();
        HeldFiles.Entry e = HeldFiles.opened(id);
        assertTrue(HeldFiles.claim(e, holder));
        HeldFiles.closeUnknown(unknown, ex -> { });
        assertFalse(unknown.closed, "it may be a descriptor of the claimed file");
        HeldFiles.close(e, holder, ex -> { });
        assertTrue(unknown.closed);

        Recorder later = new Recorder();
        HeldFiles.closeUnknown(later, ex -> { });
        assertTrue(later.closed, "nothing claimed: closed at once");
    }

    @Test
    void reentryCountsHoldsAndTheLastLeaveReleases() {
        FileIdentity id = fresh();
        Recorder holder = new Recorder();
        HeldFiles.Entry e = HeldFiles.opened(id);
        assertTrue(HeldFiles.claim(e, holder));
        Object owner = new Object();
        HeldFiles.held(e, owner);
        assertTrue(HeldFiles.enter(id, owner));
        assertFalse(HeldFiles.enter(id, new Object()), "only the owner re-enters");
        assertFalse(HeldFiles.leave(e));
        assertTrue(HeldFiles.leave(e));
        HeldFiles.close(e, holder, ex -> { });
    }
}
