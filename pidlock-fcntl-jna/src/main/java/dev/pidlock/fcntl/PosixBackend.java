package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeBackend;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import java.util.EnumSet;

/**
 * Backend {@code posix}: classic {@code fcntl(F_SETLK)} record locks, for interoperating with classic
 * lockers. The lock belongs to the process: pidlock's registry keeps it from closing a second descriptor of a
 * held file. Not inherited by children. {@code F_GETLK} names a POSIX holder's pid.
 *
 * @since 0.1
 */
public final class PosixBackend extends NativeBackend {
    /** Stateless: one for every lock. */
    private static final LockKind KIND = new LockKind.Fcntl(false);

    /** Creates the backend; it probes on first use. */
    public PosixBackend() {
        super("posix", 40, EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH, Capability.PROCESS_SCOPE,
                Capability.CONFLICTS_WITH_FCNTL, Capability.PROBE_WITHOUT_ACQUIRING, Capability.REPORTS_HOLDER_PID,
                Capability.IDENTITY_FROM_DESCRIPTOR, Capability.MODE_THROUGH_DESCRIPTOR));
    }

    @Override
    protected Exclusion exclusion(NativeFile file) {
        return new KindLock(file, KIND);
    }
}
