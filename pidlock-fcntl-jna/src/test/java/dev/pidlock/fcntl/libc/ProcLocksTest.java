package dev.pidlock.fcntl.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.internal.proc.ProcLock;
import dev.pidlock.spi.FileIdentity;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcLocksTest {

    /** st_dev 0x801 (major 8, minor 1) as glibc encodes it. */
    private static final FileIdentity FILE = new FileIdentity(0x801, 5678);

    @Test
    void theLocksHeldOnTheFileAreKeptAndTheWaitersAndOtherFilesPassedOver() {
        List<ProcLock> all = ProcLock.parseLocks(List.of(
                "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF",
                "1: -> FLOCK  ADVISORY  WRITE 1235 08:01:5678 0 EOF",
                "2: POSIX  ADVISORY  READ 77 08:01:5678 0 EOF",
                "3: FLOCK  ADVISORY  WRITE 99 08:01:5679 0 EOF",
                "4: FLOCK  ADVISORY  WRITE 98 08:02:5678 0 EOF",
                "5: OFDLCK ADVISORY  WRITE -1 08:01:5678 0 EOF"));
        assertEquals(List.of(new ProcLocks.Lock("FLOCK", true, 1234), new ProcLocks.Lock("POSIX", false, 77),
                new ProcLocks.Lock("OFDLCK", true, -1)), ProcLocks.on(all, FILE));
        assertEquals(List.of(), ProcLocks.on(List.of(), FILE));
    }

    @Test
    void aLockThisJvmHoldsIsOnTheFile(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/locks")), "needs Linux /proc/locks");
        Path file = dir.resolve("locked");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            List<ProcLocks.Lock> locks = ProcLocks.on(identity(file)).orElseThrow();
            assertEquals(List.of(new ProcLocks.Lock("POSIX", true, ProcessHandle.current().pid())), locks);
        }
        assertTrue(ProcLocks.on(identity(file)).orElseThrow().isEmpty(), "unlocked");
    }

    private static FileIdentity identity(Path file) throws IOException {
        return new FileIdentity(((Number) Files.getAttribute(file, "unix:dev")).longValue(),
                ((Number) Files.getAttribute(file, "unix:ino")).longValue());
    }
}
