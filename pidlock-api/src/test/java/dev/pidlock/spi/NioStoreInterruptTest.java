package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.PidLock;
import dev.pidlock.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pending interrupt closes a FileChannel at its next operation; the java.nio store keeps it aside. */
class NioStoreInterruptTest {

    @TempDir
    Path dir;

    @Test
    void aPendingInterruptNeitherFailsTheAcquisitionNorIsLost() throws Exception {
        Path pidfile = dir.resolve("i.pid");
        Thread.currentThread().interrupt();
        try (PidLock lock = PidLock.at(pidfile).backend(new TestBackend()).acquire()) {
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is still pending");
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pidfile));
        } finally {
            Thread.interrupted();
        }
    }
}
