package dev.pidlock.lockf;

import dev.pidlock.fcntl.libc.Binding;
import dev.pidlock.fcntl.libc.DescriptorStore;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@link DescriptorStore}, except that an absent pidfile opened for locking is created with
 * {@code O_EXCL} and the {@link LockfLock#CREATION_MARK}, so that exactly one process knows it made the file.
 * Should the second open create the file (it was removed in between), it creates it without the mark, so
 * nobody waits for it.
 */
final class ExclusiveCreateStore implements PidFileStore {

    static final ExclusiveCreateStore INSTANCE = new ExclusiveCreateStore();

    private ExclusiveCreateStore() {
    }

    @Override
    public Optional<PathFacts> examine(Path path) throws IOException {
        return DescriptorStore.INSTANCE.examine(path);
    }

    @Override
    public Optional<PathFacts> examineFollowing(Path dir) throws IOException {
        return DescriptorStore.INSTANCE.examineFollowing(dir);
    }

    @Override
    public OpenPidFile open(Path path, OpenRequest request) throws IOException {
        if (request.inheritable()) {
            throw new IOException("open " + path + ": backend " + LockfBackend.ID + " cannot pass its lock across"
                    + " exec (a lockf lock belongs to the process and is not inherited); use ofd, flock or ofd+flock");
        }
        if (!request.forLocking()) {
            return DescriptorStore.INSTANCE.open(path, request);
        }
        try {
            return NativeFile.open(Binding.errors(), path,
                    NativeFile.OpenOptions.forLocking(LockfLock.withCreationMark(request.createMode()))
                            .createExclusively());
        } catch (FileAlreadyExistsException present) {
            return NativeFile.open(Binding.errors(), path, NativeFile.OpenOptions.forLocking(request.createMode()));
        }
    }

    @Override
    public String toString() {
        return "PidFileStore[descriptor, O_EXCL]";
    }
}
