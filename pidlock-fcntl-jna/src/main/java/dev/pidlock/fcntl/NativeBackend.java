package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.Errors;
import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The common part of the native backends: the platform's binding, the availability probe (load the C
 * library, lock and unlock a temporary file, once), and the safe open. Subclasses name the lock kind.
 */
abstract class NativeBackend implements LockBackend {
    static final System.Logger LOG = System.getLogger("dev.pidlock.fcntl");

    /** The binding of this platform, or why there is none; resolved once for all native backends. */
    static final class Binding {
        static final Optional<Platform> PLATFORM = Platform.current();
        static final Errors ERRORS;
        static final Throwable LOAD_FAILURE;

        static {
            Errors errors = null;
            Throwable failure = null;
            if (PLATFORM.isPresent()) {
                try {
                    Libc.errno();
                    errors = new Errors(PLATFORM.get());
                } catch (Throwable t) {
                    failure = t;
                }
            }
            ERRORS = errors;
            LOAD_FAILURE = failure;
        }

        private Binding() {
        }
    }

    private final String id;
    private final int priority;
    private final Set<Capability> capabilities;
    private volatile Availability availability;

    NativeBackend(String id, int priority, Set<Capability> capabilities) {
        this.id = id;
        this.priority = priority;
        this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
    }

    /** @return the kind of lock, for a platform that has a binding */
    abstract LockKind kind(Platform platform);

    /** @return why this backend cannot work on {@code platform} before trying, or empty */
    Optional<String> unsupported(Platform platform) {
        return Optional.empty();
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public final Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (this) {
                a = availability;
                if (a == null) {
                    a = probe();
                    availability = a;
                    Availability found = a;
                    LOG.log(Level.DEBUG, () -> "backend " + id + " probe: "
                            + (found.isAvailable() ? "available" : found.cause().orElse("")));
                }
            }
        }
        return a;
    }

    private Availability probe() {
        if (Binding.PLATFORM.isEmpty()) {
            return Availability.unavailable("no libc binding is declared for " + System.getProperty("os.name")
                    + " on " + System.getProperty("os.arch"));
        }
        if (Binding.ERRORS == null) {
            return Availability.unavailable("the C library could not be loaded through JNA: "
                    + Binding.LOAD_FAILURE, Binding.LOAD_FAILURE);
        }
        Platform platform = Binding.PLATFORM.get();
        Optional<String> reason = unsupported(platform);
        if (reason.isPresent()) {
            return Availability.unavailable(reason.get());
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("pidlock-probe-" + id.replace('+', '-') + "-", ".lock");
            NativeFile f = NativeFile.open(Binding.ERRORS, tmp, true, false, false, OwnershipPolicy.DEFAULT_MODE);
            try {
                LockKind kind = kind(platform);
                if (!kind.tryLock(f)) {
                    return Availability.unavailable("a fresh temporary file " + tmp + " could not be locked");
                }
                kind.probe(f);
                kind.unlock(f);
            } finally {
                f.close();
            }
            return Availability.available();
        } catch (IOException | RuntimeException | LinkageError e) {
            return Availability.unavailable("locking a temporary file failed: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover empty temporary file is harmless
                }
            }
        }
    }

    @Override
    public PidFileHandle open(Path path, OpenRequest request) throws IOException {
        Availability a = availability();
        if (!a.isAvailable()) {
            throw new IOException("backend " + id + " is unavailable: " + a.cause().orElse(""));
        }
        if (request.inheritable() && !capabilities.contains(Capability.INHERITABLE_ACROSS_EXEC)) {
            throw new IOException("open " + path + ": backend " + id + " cannot pass its lock across exec");
        }
        NativeFile f = NativeFile.open(Binding.ERRORS, path, request.forLocking(), false, request.inheritable(),
                request.createMode());
        return new NativePidFile(f, kind(Binding.PLATFORM.get()));
    }

    @Override
    public String toString() {
        return "LockBackend[" + id + "]";
    }
}
