package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeBackend;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import java.util.EnumSet;
import java.util.Optional;

/**
 * Backend {@code ofd}: {@code fcntl(F_OFD_SETLK)}, Linux 3.15 and later. The lock belongs to the open file
 * description, so closing another descriptor of the file does not drop it; it conflicts with POSIX and OFD
 * {@code fcntl} users, {@code lockf} and java.nio, not with {@code flock(2)}.
 *
 * @since 0.1
 */
public final class OfdBackend extends NativeBackend {
    /** Stateless: one for every lock. */
    private static final LockKind KIND = new LockKind.Fcntl(true);

    /** Creates the backend; it probes on first use. */
    public OfdBackend() {
        super("ofd", 80, EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH, Capability.OPEN_FILE_DESCRIPTION_SCOPE,
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
