package dev.pidlock.nio;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import dev.pidlock.spi.UnsafeFileException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backend {@code nio}: {@link FileChannel#tryLock()} on the pidfile, a POSIX {@code fcntl} lock on Unix.
 * Portable, but java.nio cannot {@code fstat} or {@code fchmod} a channel: the open file's identity is
 * inferred from {@code lstat} before and after opening, and the mode is set through the path after checking
 * it still names the locked file. The lock is process-scoped: pidlock's registry keeps it from opening and
 * closing a second descriptor of a held file, which would drop it.
 *
 * @since 0.1
 */
public final class NioBackend implements LockBackend {

    /** The id this backend is selected by. */
    public static final String ID = "nio";

    private static final int OPEN_ATTEMPTS = 16;

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
    public PidFileHandle open(Path path, OpenRequest request) throws IOException {
        if (request.inheritable()) {
            throw new IOException("open " + path + ": the nio backend cannot pass its lock across exec;"
                    + " use a native backend (ofd, posix, flock, ofd+flock, lockf)");
        }
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            Optional<PathFacts> before = PathFacts.read(path);
            if (before.isEmpty()) {
                if (!request.forLocking()) {
                    throw new NoSuchFileException(path.toString());
                }
                try {
                    Files.createFile(path, PosixFilePermissions.asFileAttribute(request.createMode()));
                } catch (FileAlreadyExistsException raced) {
                    // somebody else created it (or a symlink appeared): look again
                }
                continue;
            }
            refuseUnlessRegular(path, before.get());
            FileChannel channel;
            try {
                channel = request.forLocking()
                        ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS)
                        : FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue;
            }
            Optional<PathFacts> after = PathFacts.read(path);
            boolean same = after.isPresent() && after.get().type() == PathFacts.FileType.REGULAR
                    && after.get().identity().equals(before.get().identity());
            return new NioPidFile(path, channel, same ? before.get().identity() : null);
        }
        throw new IOException("open " + path + ": the file kept changing while being opened ("
                + OPEN_ATTEMPTS + " attempts)");
    }

    static void refuseUnlessRegular(Path path, PathFacts facts) throws UnsafeFileException {
        if (facts.type() != PathFacts.FileType.REGULAR) {
            throw new UnsafeFileException(path, "is a " + facts.type().describe() + ", not a regular file");
        }
    }

    @Override
    public String toString() {
        return "LockBackend[nio]";
    }
}
