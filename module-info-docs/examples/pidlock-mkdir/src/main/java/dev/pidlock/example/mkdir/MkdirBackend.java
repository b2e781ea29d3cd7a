package dev.pidlock.example.mkdir;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.StaleDetector;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Backend {@code mkdir}: the lock is a directory beside the pidfile, {@code NAME.lock.d}, which appears in one
 * atomic {@code rename(2)} with its owner's entry already in it, and disappears on release. Directory
 * operations are atomic on every POSIX file system, NFS included, where byte-range locks may be missing or
 * unreliable. The pidfile's content goes through the java.nio store ({@link dev.pidlock.spi.PidFileStore#nio()},
 * the default {@link #store()}), as with {@code nio}: this backend implements its lock and nothing else.
 *
 * <p>No kernel removes the directory when its owner dies. The owner entry names the owner's pid, host, boot
 * and pid namespace, and the time it took the lock; a {@link StaleDetector} (by default the one pidlock uses
 * for unlocked pidfiles) decides whether an owner of this boot and pid namespace is gone, and only then is
 * the lock broken, by removing that exact entry, so that of two breakers exactly one wins. An owner on
 * another host or in another container is never judged from here; a host that restarted has lost all its
 * owners.
 *
 * <p>Declares {@link Capability#PROBE_WITHOUT_ACQUIRING} only: the lock is not released on death, belongs to
 * no descriptor (so it has neither scope and cannot be passed across {@code exec}), excludes neither
 * {@code flock} nor {@code fcntl} users, and waiting polls. Its priority, {@value #PRIORITY}, keeps
 * {@code auto} from choosing it over any kernel-lock backend: it must be asked for by id.
 *
 * @since 0.1
 */
public final class MkdirBackend implements LockBackend {

    /**
     * The id this backend is selected by.
     *
     * @since 0.1
     */
    public static final String ID = "mkdir";

    /**
     * The priority: below every kernel-lock backend ({@code nio} is 10).
     *
     * @since 0.1
     */
    public static final int PRIORITY = 5;

    private final StaleDetector detector;
    private final Supplier<Availability> availability = Availability.once(ID, MkdirBackend::probe);

    /**
     * The backend as {@link ServiceLoader} makes it: stale owners are judged by pidlock's default chain
     * ({@link StaleDetector#defaults()}, then every {@link StaleDetector} found with {@link ServiceLoader}).
     *
     * @since 0.1
     */
    public MkdirBackend() {
        this(null);
    }

    /**
     * A backend that judges stale owners with {@code detector}; pass it to
     * {@link dev.pidlock.PidLock.Builder#backend(LockBackend)}.
     *
     * @param detector decides whether a lock directory's owner (of this boot and pid namespace) is gone; null
     *                 for the default chain
     * @since 0.1
     */
    public MkdirBackend(StaleDetector detector) {
        this.detector = detector != null ? detector : DefaultDetector.CHAIN;
    }

    /** pidlock's default chain, as pidlock builds it for unlocked pidfiles. */
    private static final class DefaultDetector {
        static final StaleDetector CHAIN = chain();

        private static StaleDetector chain() {
            List<StaleDetector> all = new ArrayList<>();
            all.add(StaleDetector.defaults());
            var it = ServiceLoader.load(StaleDetector.class, MkdirBackend.class.getClassLoader()).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    all.add(it.next());
                } catch (ServiceConfigurationError e) {
                    LockDirectory.LOG.log(System.Logger.Level.WARNING, () -> "could not load a StaleDetector: "
                            + e.getMessage());
                }
            }
            return all.size() == 1 ? all.get(0) : StaleDetector.allOf(all.toArray(StaleDetector[]::new));
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PROBE_WITHOUT_ACQUIRING);
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    /**
     * Checks for real what the lock relies on, in a scratch directory: a directory renamed onto a missing name
     * appears; renamed onto a directory with an entry, it fails and changes nothing; renamed onto an empty
     * directory, it replaces it.
     */
    private static Availability probe() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return Availability.unavailable("the default file system has no Unix attributes (device, inode)");
        }
        Path scratch = null;
        try {
            scratch = Availability.scratchDirectory(ID);
            Path lock = scratch.resolve("probe.lock.d");
            Path first = Files.createDirectory(scratch.resolve("first"));
            Files.createFile(first.resolve("owner.first"));
            Path second = Files.createDirectory(scratch.resolve("second"));
            Files.createFile(second.resolve("owner.second"));
            Files.move(first, lock, StandardCopyOption.ATOMIC_MOVE);
            try {
                Files.move(second, lock, StandardCopyOption.ATOMIC_MOVE);
                return Availability.unavailable("rename(2) replaced a directory that was not empty in " + scratch);
            } catch (FileSystemException expected) {
                // a held lock refuses the taker
            }
            if (!Files.exists(lock.resolve("owner.first"), LinkOption.NOFOLLOW_LINKS)) {
                return Availability.unavailable("a refused rename(2) changed the directory it was refused by");
            }
            Files.delete(lock.resolve("owner.first"));
            Files.move(second, lock, StandardCopyOption.ATOMIC_MOVE);
            if (!Files.exists(lock.resolve("owner.second"), LinkOption.NOFOLLOW_LINKS)) {
                return Availability.unavailable("rename(2) onto an empty directory did not replace it");
            }
            return Availability.available();
        } catch (IOException | RuntimeException e) {
            return Availability.unavailable("renaming directories in a temporary directory failed: " + e, e);
        } finally {
            if (scratch != null) {
                deleteTree(scratch);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover in the temporary directory is harmless
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // as above
        }
    }

    /**
     * The lock directory beside {@code file}, created with the pidfile's mode plus search permission where it
     * grants read. The pidfile itself is opened, read and written by the java.nio store, as for {@code nio}.
     */
    @Override
    public Exclusion exclusion(OpenPidFile file, OpenRequest request) throws IOException {
        if (request.inheritable()) {
            throw new IOException("lock " + file.path() + ": the mkdir backend's lock is a directory, not a"
                    + " descriptor; it cannot be passed across exec");
        }
        return new MkdirLock(file.path(), detector, LockDirectory.modeFor(request.createMode()));
    }

    @Override
    public String toString() {
        return "LockBackend[mkdir]";
    }
}
