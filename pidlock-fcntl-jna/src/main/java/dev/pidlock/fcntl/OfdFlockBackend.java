package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeBackend;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Backend {@code ofd+flock}, the Linux default: an OFD lock and a {@code flock(2)} lock on one descriptor,
 * so that a pidlock holder blocks every locking peer ({@code flock(1)}, Python {@code pid}, {@code lockf},
 * POSIX and OFD {@code fcntl} users, java.nio) and every one of them blocks pidlock.
 *
 * @since 0.1
 */
public final class OfdFlockBackend extends NativeBackend {
    /** Stateless: one for every lock. */
    private static final LockKind KIND = new LockKind.OfdAndFlock();

    /** Creates the backend; it probes on first use. */
    public OfdFlockBackend() {
        super("ofd+flock", 100, EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH,
                Capability.OPEN_FILE_DESCRIPTION_SCOPE, Capability.CONFLICTS_WITH_FLOCK,
                Capability.CONFLICTS_WITH_FCNTL, Capability.PROBE_WITHOUT_ACQUIRING,
                Capability.INHERITABLE_ACROSS_EXEC, Capability.IDENTITY_FROM_DESCRIPTOR,
                Capability.MODE_THROUGH_DESCRIPTOR));
    }

    @Override
    protected Exclusion exclusion(NativeFile file) {
        return new KindLock(file, KIND);
    }

    @Override
    protected Optional<String> unsupported(Platform platform) {
        return platform.fcntl().hasOfd() ? Optional.empty()
                : Optional.of(platform.name() + " has no open file description locks (F_OFD_SETLK)");
    }
}
