package dev.pidlock.lockf;

import dev.pidlock.fcntl.libc.NativeBackend;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.PidFileStore;
import java.util.EnumSet;

/**
 * Backend {@code lockf}: creates an absent pidfile with {@code open(O_CREAT|O_EXCL)}, so that exactly one
 * process knows it made the file, and locks the whole file with {@code lockf(F_TLOCK)}, a POSIX record lock
 * owned by the process. It conflicts with POSIX and OFD {@code fcntl} users and java.nio, not with
 * {@code flock(2)}; {@code fcntl(F_GETLK)} names the holder. POSIX locks are not inherited across
 * {@code fork}/{@code exec}, so this backend refuses inheritable opens.
 *
 * <p>Between its creation and its lock the file exists empty and unlocked. The lock alone keeps a second
 * holder out; to let the creator win as well, the creator creates the file with the owner's execute bit set
 * (a mark the umask leaves alone; pidlock sets the real mode through the descriptor once it holds the lock),
 * and a process that finds an existing empty file it did not create, carrying that mark and modified less
 * than {@link LockfLock#CREATION_GRACE} ago, treats it as being created by another process and reports it
 * held. An empty file left by a creator that died before locking is taken over once that grace period has
 * passed; an empty file without the mark (truncated on release, or made by another program) is taken over
 * at once.
 *
 * @since 0.1
 */
public final class LockfBackend extends NativeBackend {
    /** The id users select this backend by. */
    public static final String ID = "lockf";

    static final System.Logger LOG = System.getLogger("dev.pidlock.lockf");

    /** Creates the backend; it probes on first use. */
    public LockfBackend() {
        super(ID, 30, EnumSet.of(Capability.RELEASED_ON_PROCESS_DEATH, Capability.PROCESS_SCOPE,
                Capability.CONFLICTS_WITH_FCNTL, Capability.PROBE_WITHOUT_ACQUIRING, Capability.REPORTS_HOLDER_PID,
                Capability.IDENTITY_FROM_DESCRIPTOR, Capability.MODE_THROUGH_DESCRIPTOR));
    }

    /** @return the store that creates an absent pidfile with {@code O_EXCL} and the creation mark */
    @Override
    public PidFileStore store() {
        return ExclusiveCreateStore.INSTANCE;
    }

    @Override
    protected Exclusion exclusion(NativeFile file) {
        return new LockfLock(file);
    }
}
