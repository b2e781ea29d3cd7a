package dev.pidlock.nio;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.NioPidFileStore;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backend {@code nio}: {@link FileChannel#tryLock()} on the pidfile, a POSIX {@code fcntl} lock on Unix, over
 * the java.nio store ({@link dev.pidlock.spi.PidFileStore#nio()}). Portable; the lock is process-scoped:
 * pidlock's registry keeps it from opening and closing a second descriptor of a held file, which would drop
 * it.
 *
 * @since 0.1
 */
public final class NioBackend implements LockBackend {

    /** The id this backend is selected by. */
    public static final String ID = "nio";

    private final Supplier<Availability> availability = Availability.once(ID, NioBackend::probe);

    /** Creates the backend; the availability probe runs on first use. */
    public NioBackend() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH, Capability.PROCESS_SCOPE,
                Capability.CONFLICTS_WITH_FCNTL, Capability.BLOCKING_WAIT);
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    private static Availability probe() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return Availability.unavailable("the default file system has no Unix attributes (device, inode)");
        }
        Path dir = null;
        Path tmp = null;
        try {
            dir = Availability.scratchDirectory("nio");
            tmp = Files.createFile(dir.resolve("probe.lock"));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    return Availability.unavailable("a fresh temporary file " + tmp + " could not be locked");
                }
                lock.release();
            }
            return Availability.available();
        } catch (IOException | RuntimeException e) {
            return Availability.unavailable("locking a temporary file failed: " + e, e);
        } finally {
            if (dir != null) {
                try {
                    if (tmp != null) {
                        Files.deleteIfExists(tmp);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a leftover empty temporary file is harmless
                }
            }
        }
    }

    @Override
    public Exclusion exclusion(OpenPidFile file, OpenRequest request) {
        return new ChannelLock(file.path(), NioPidFileStore.channel(file));
    }

    @Override
    public String toString() {
        return "LockBackend[nio]";
    }
}
