package dev.pidlock;

import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.StaleDetector;
import java.nio.file.Path;
import java.util.Set;

/** The immutable snapshot a builder's terminal operation works from. */
record Config(Path path, LockBackend backendInstance, String backendId, Set<Capability> required,
              StaleDetector detector, OwnershipPolicy policy, boolean inheritable) {

    LockBackend backend() {
        return Backends.select(backendInstance, backendId, required);
    }
}
