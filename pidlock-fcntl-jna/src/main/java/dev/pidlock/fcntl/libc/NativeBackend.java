package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PidFileStore;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The template of the backends over this binding: id, priority, capabilities, the {@link DescriptorStore}, and
 * the availability probe (load the C library, then open, lock, probe and unlock a file in a fresh temporary
 * directory through the backend's own store and exclusion, once). A subclass names its lock.
 */
public abstract class NativeBackend implements LockBackend {

    private final String id;
    private final int priority;
    private final Set<Capability> capabilities;
    private final Supplier<Availability> availability;

    /**
     * @param id           the backend's id
     * @param priority     its rank when none is asked for
     * @param capabilities what it always guarantees
     */
    @SuppressWarnings("this-escape") // the probe runs on first use, never during construction
    protected NativeBackend(String id, int priority, Set<Capability> capabilities) {
        this.id = id;
        this.priority = priority;
        this.capabilities = Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        this.availability = Availability.once(id, this::probe);
    }

    /**
     * The lock on one open file.
     *
     * @param file the open pidfile
     * @return its exclusion, not taken
     * @throws IOException when it cannot be made
     */
    protected abstract Exclusion exclusion(NativeFile file) throws IOException;

    /**
     * @param platform the binding's platform
     * @return why this backend cannot work there before trying, or empty
     */
    protected Optional<String> unsupported(Platform platform) {
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

    /** @return the {@link DescriptorStore} */
    @Override
    public PidFileStore store() {
        return DescriptorStore.INSTANCE;
    }

    @Override
    public final Exclusion exclusion(OpenPidFile file, OpenRequest request) throws IOException {
        Availability a = availability();
        if (!a.isAvailable()) {
            throw new IOException("backend " + id + " is unavailable: " + a.cause().orElse(""));
        }
        return exclusion(DescriptorStore.nativeFile(file));
    }

    private Availability probe() {
        return Binding.probe(id, file -> {
            Optional<String> reason = unsupported(Binding.platform().orElseThrow());
            if (reason.isPresent()) {
                return reason;
            }
            try (NativeFile f = DescriptorStore.nativeFile(store().open(file,
                    OpenRequest.forLocking(OwnershipPolicy.DEFAULT_MODE)))) {
                Exclusion lock = exclusion(f);
                if (!lock.tryLock()) {
                    return Optional.of("a fresh temporary file " + file + " could not be locked");
                }
                if (lock instanceof SelfCheck check) {
                    check.selfCheck();
                } else {
                    lock.probe();
                }
                lock.unlock();
                return Optional.empty();
            }
        });
    }

    @Override
    public String toString() {
        return "LockBackend[" + id + "]";
    }
}
