package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.Binding;
import dev.pidlock.fcntl.libc.NativeBackend;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import java.util.EnumSet;

/**
 * Backend {@code flock}: {@code flock(2)}, the BSD convention of util-linux {@code flock(1)}, BSD
 * {@code pidfile(3)} and Python's {@code pid}. Does not conflict with {@code fcntl} users. Probed without
 * locking through {@code /proc/locks} on Linux, which also names the holder.
 *
 * @since 0.1
 */
public final class FlockBackend extends NativeBackend {
    /** Stateless: one for every lock. */
    private static final LockKind KIND = new LockKind.Flock();

    /** Creates the backend; it probes on first use. */
    public FlockBackend() {
        super("flock", 60, declared());
    }

    private static EnumSet<Capability> declared() {
        EnumSet<Capability> c = EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH,
                Capability.OPEN_FILE_DESCRIPTION_SCOPE, Capability.CONFLICTS_WITH_FLOCK,
                Capability.INHERITABLE_ACROSS_EXEC, Capability.IDENTITY_FROM_DESCRIPTOR,
                Capability.MODE_THROUGH_DESCRIPTOR);
        if (Binding.platform().map(Platform::procLocks).orElse(false)) {
            c.add(Capability.PROBE_WITHOUT_ACQUIRING);
            c.add(Capability.REPORTS_HOLDER_PID);
        }
        return c;
    }

    @Override
    protected Exclusion exclusion(NativeFile file) {
        return new KindLock(file, KIND);
    }
}
