package dev.pidlock.lockf;

import dev.pidlock.fcntl.libc.Binding;
import dev.pidlock.fcntl.libc.Errors;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.spi.Availability;
import dev.pidlock.spi.Capability;
import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

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
 * than {@link LockfPidFile#CREATION_GRACE} ago, treats it as being created by another process and reports it
 * held. An empty file left by a creator that died before locking is taken over once that grace period has
 * passed; an empty file without the mark (truncated on release, or made by another program) is taken over
 * at once.
 *
 * @since 0.1
 */
public final class LockfBackend implements LockBackend {
    /** The id users select this backend by. */
    public static final String ID = "lockf";

    static final System.Logger LOG = System.getLogger("dev.pidlock.lockf");

    private static final Set<Capability> CAPABILITIES = Collections.unmodifiableSet(EnumSet.of(
            Capability.RELEASED_ON_PROCESS_DEATH, Capability.PROCESS_SCOPE, Capability.CONFLICTS_WITH_FCNTL,
            Capability.PROBE_WITHOUT_ACQUIRING, Capability.REPORTS_HOLDER_PID, Capability.IDENTITY_FROM_DESCRIPTOR,
            Capability.MODE_THROUGH_DESCRIPTOR));

    private final Supplier<Availability> availability = Availability.once(ID, LockfBackend::probe);

    /** Creates the backend; it probes on first use. */
    public LockfBackend() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 30;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Availability availability() {
        return availability.get();
    }

    /** Creates a file in a fresh temporary directory the way {@link #open} does, then locks, probes, unlocks. */
    private static Availability probe() {
        return Binding.probe(ID, file -> {
            NativeFile f = NativeFile.open(Binding.errors(), file,
                    NativeFile.OpenOptions.forLocking(OwnershipPolicy.DEFAULT_MODE).createExclusively());
            try (LockfPidFile handle = new LockfPidFile(f, true)) {
                if (!handle.tryLock()) {
                    return Optional.of("a fresh temporary file " + file + " could not be locked");
                }
                handle.probe();
                handle.unlock();
            }
            return Optional.empty();
        });
    }

    /**
     * Opens the pidfile. For locking: creates it with {@code O_EXCL} and the creation mark when absent, and
     * otherwise opens the existing file. Only the handle that created the file with {@code O_EXCL} is exempt
     * from the creation grace period; should the second open create the file (it was removed in between), it
     * creates it without the mark, so nobody waits for it.
     */
    @Override
    public PidFileHandle open(Path path, OpenRequest request) throws IOException {
        Availability a = availability();
        if (!a.isAvailable()) {
            throw new IOException("backend " + ID + " is unavailable: " + a.cause().orElse(""));
        }
        if (request.inheritable()) {
            throw new IOException("open " + path + ": backend " + ID + " cannot pass its lock across exec"
                    + " (a lockf lock belongs to the process and is not inherited); use ofd, flock or ofd+flock");
        }
        Errors errors = Binding.errors();
        if (!request.forLocking()) {
            return new LockfPidFile(NativeFile.open(errors, path, NativeFile.OpenOptions.forReading()), false);
        }
        try {
            return new LockfPidFile(NativeFile.open(errors, path, NativeFile.OpenOptions.forLocking(
                    LockfPidFile.withCreationMark(request.createMode())).createExclusively()), true);
        } catch (FileAlreadyExistsException present) {
            return new LockfPidFile(NativeFile.open(errors, path,
                    NativeFile.OpenOptions.forLocking(request.createMode())), false);
        }
    }

    @Override
    public Optional<PathFacts> examine(Path path) throws IOException {
        return availability().isAvailable() ? NativeFile.lstat(Binding.errors(), path) : PathFacts.read(path);
    }

    @Override
    public String toString() {
        return "LockBackend[" + ID + "]";
    }
}
