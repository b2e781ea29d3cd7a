package dev.pidlock.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.testkit.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A timed wait ends by closing the waiting channel from a timer. With a tiny timeout the timer can close it
 * before the waiter even calls {@code FileChannel.lock}, which then throws {@code ClosedChannelException}, not
 * {@code AsynchronousCloseException}: that too is a timeout, not an error. (Found by the exclusion torture:
 * {@code acquire(Duration)} with a few milliseconds left after the first try failed with
 * {@code PidFileAccessException: lock …: ClosedChannelException}.)
 */
class NioTimedWaitTest {
    @TempDir
    Path dir;

    @Test
    void aWaitWhoseTimerFiresBeforeItStartsIsATimeout() throws Exception {
        Path file = dir.resolve("wait.pid");
        NioBackend backend = new NioBackend();
        try (ChildProcess holder = ChildProcess.lockChild("acquire", file.toString(), NioBackend.ID)) {
            assertEquals("ACQUIRED " + holder.pid(), holder.nextLine());
            for (int i = 0; i < 2000; i++) {
                OpenRequest request = OpenRequest.forLocking(OwnershipPolicy.DEFAULT_MODE);
                try (OpenPidFile f = backend.store().open(file, request)) {
                    assertFalse(backend.exclusion(f, request).lock(Duration.ofNanos(1 + i % 20_000)),
                            "the child holds the lock");
                }
            }
        }
    }
}
