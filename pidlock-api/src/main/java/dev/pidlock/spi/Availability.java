package dev.pidlock.spi;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a backend can lock on this machine, and why not when it cannot. A backend finds this out by
 * trying (load the library, lock and unlock a temporary file) once, and keeps the answer.
 *
 * @param isAvailable whether the backend works here
 * @param cause       why it does not (empty when available)
 * @param error       the failure behind the cause, if there was one
 * @since 0.1
 */
public record Availability(boolean isAvailable, Optional<String> cause, Optional<Throwable> error) {

    private static final Availability AVAILABLE = new Availability(true, Optional.empty(), Optional.empty());

    /**
     * Checks that an unavailable backend says why.
     *
     * @param isAvailable whether the backend works here
     * @param cause       why it does not (empty when available)
     * @param error       the failure behind the cause, if there was one
     * @throws IllegalArgumentException when {@code isAvailable} is false and {@code cause} is empty
     * @since 0.1
     */
    public Availability {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(error, "error");
        if (!isAvailable && cause.isEmpty()) {
            throw new IllegalArgumentException("an unavailable backend must say why");
        }
    }

    /**
     * Memoizes a backend's probe: the first call runs it (once, also under contention) and logs the answer
     * at DEBUG; later calls return the kept answer. A probe that throws counts as unavailable, with its failure
     * as the cause.
     *
     * @param backend the backend's id, for the log
     * @param probe   the real probe: load what is needed, lock and unlock a temporary file
     * @return a supplier of the kept answer
     * @since 0.1
     */
    public static java.util.function.Supplier<Availability> once(String backend,
            java.util.function.Supplier<Availability> probe) {
        return new java.util.function.Supplier<>() {
            private volatile Availability answer;

            @Override
            public Availability get() {
                Availability a = answer;
                if (a == null) {
                    synchronized (this) {
                        a = answer;
                        if (a == null) {
                            try {
                                a = probe.get();
                            } catch (RuntimeException | LinkageError e) {
                                a = unavailable("the probe failed: " + e, e);
                            }
                            answer = a;
                            Availability found = a;
                            System.getLogger("dev.pidlock").log(System.Logger.Level.DEBUG, () -> "backend " + backend
                                    + " probe: " + (found.isAvailable() ? "available" : found.cause().orElse("")));
                        }
                    }
                }
                return a;
            }
        };
    }

    /**
     * Creates a fresh, private (mode 0700 where the file system has POSIX permissions) directory under
     * {@code java.io.tmpdir} for a probe to lock a file in; the caller deletes it. Unlike
     * {@link Files#createTempDirectory}, it does not seed a {@code SecureRandom} — a probe runs at the start of
     * every command, and that costs more than the probe — so the name is made of the process id, a counter and
     * the clock, and creation simply fails over to the next name if one exists.
     *
     * @param backend the backend's id, part of the name
     * @return the new directory
     * @throws IOException if no directory could be created
     * @since 0.1
     */
    public static Path scratchDirectory(String backend) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        boolean posix = tmp.getFileSystem().supportedFileAttributeViews().contains("posix");
        StringBuilder prefix = new StringBuilder("pidlock-probe-");
        backend.chars().forEach(c -> prefix.append(Character.isLetterOrDigit(c) && c < 128 ? (char) c : '-'));
        prefix.append('-').append(ProcessHandle.current().pid()).append('-');
        IOException last = null;
        for (int i = 0; i < 100; i++) {
            Path dir = tmp.resolve(prefix.toString() + SCRATCH.incrementAndGet() + "-" + Long.toHexString(System.nanoTime()));
            try {
                return posix ? Files.createDirectory(dir, PRIVATE) : Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                last = e;
            }
        }
        throw last;
    }

    private static final AtomicLong SCRATCH = new AtomicLong();
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));

    /**
     * @return the answer of a backend that works here
     * @since 0.1
     */
    public static Availability available() {
        return AVAILABLE;
    }

    /**
     * @param cause why the backend cannot lock here, in one line
     * @return the answer of a backend that does not work here
     * @since 0.1
     */
    public static Availability unavailable(String cause) {
        return new Availability(false, Optional.of(cause), Optional.empty());
    }

    /**
     * @param cause why the backend cannot lock here, in one line
     * @param error the failure the probe met
     * @return the answer of a backend that does not work here
     * @since 0.1
     */
    public static Availability unavailable(String cause, Throwable error) {
        return new Availability(false, Optional.of(cause), Optional.of(error));
    }
}
