package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.Binding;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The common part of the native backends: the platform's binding, the availability probe (load the C
 * library, lock and unlock a temporary file, once), and the safe open. Subclasses name the lock kind.
 */
abstract class NativeBackend implements LockBackend {

    private final String id;
    private final int priority;
    private final Set<Capability> capabilities;
    private final Supplier<Availability> availability;

    NativeBackend(String id, int priority, Set<Capability> capabilities) {
        this.id = id;
        this.priority = priority;
        this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        this.availability = Availability.once(id, this::probe);
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
        return availability.get();
    }

    private Availability probe() {
        return Binding.probe(id, file -> {
            Platform platform = Binding.platform().orElseThrow();
            Optional<String> reason = unsupported(platform);
            if (reason.isPresent()) {
                return reason;
            }
            NativeFile f = NativeFile.open(Binding.errors(), file,
                    NativeFile.OpenOptions.forLocking(OwnershipPolicy.DEFAULT_MODE));
            try {
                LockKind kind = kind(platform);
                if (!kind.tryLock(f)) {
                    return Optional.of("a fresh temporary file " + file + " could not be locked");
                }
                kind.probe(f);
                kind.unlock(f);
                return Optional.empty();
            } finally {
                f.close();
            }
        });
    }

    @Override
    public Optional<PathFacts> examine(Path path) throws IOException {
        return availability().isAvailable() ? NativeFile.lstat(Binding.errors(), path) : PathFacts.read(path);
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
        NativeFile f = NativeFile.open(Binding.errors(), path, (request.forLocking()
                ? NativeFile.OpenOptions.forLocking(request.createMode()) : NativeFile.OpenOptions.forReading())
                .inheritable(request.inheritable()));
        return new NativePidFile(f, kind(Binding.platform().orElseThrow()));
    }

    @Override
    public String toString() {
        return "LockBackend[" + id + "]";
    }
}
