package dev.pidlock.cli;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.util.Optional;

/** Choosing how the command gets the lock: inherited descriptor, or supervision. */
final class Launch {
    private Launch() {
    }

    /**
     * @param backend the requested backend id, or null for the default
     * @return the backend that will be used, as listed
     */
    static Optional<BackendInfo> chosen(String backend) {
        String id = backend != null ? backend : System.getProperty("dev.pidlock.backend");
        return PidLock.backends().stream()
                .filter(b -> id == null || id.equals("auto") ? b.isDefault() : b.id().equals(id))
                .findFirst();
    }

    /** @return whether the command can hold the lock through an inherited descriptor */
    static boolean inheritable(String backend) {
        return chosen(backend).map(b -> b.capabilities().contains(Capability.INHERITABLE_ACROSS_EXEC)).orElse(false);
    }

    /** @return the id shown in messages */
    static String idOf(String backend) {
        return chosen(backend).map(BackendInfo::id).orElse(backend == null ? "auto" : backend);
    }

    /**
     * @param b       the builder
     * @param backend the requested backend id, or null
     * @return the builder, with the backend set
     */
    static PidLock.Builder withBackend(PidLock.Builder b, String backend) {
        return backend == null ? b : b.backend(backend);
    }
}
