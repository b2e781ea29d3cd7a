package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.OpenPidFile;
import dev.pidlock.spi.OpenRequest;
import dev.pidlock.spi.PathFacts;
import dev.pidlock.spi.PidFileStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The pidfile store of the native backends: {@code lstat} for examining, and files opened as {@link NativeFile}s,
 * whose identity, reads, writes and mode go through the descriptor. Shared by every backend over this binding.
 */
public final class DescriptorStore implements PidFileStore {

    /** The store; it holds no state. */
    public static final DescriptorStore INSTANCE = new DescriptorStore();

    private DescriptorStore() {
    }

    /**
     * @param file a file this store (or a store opening {@link NativeFile}s) opened
     * @return it as the native file it is
     * @throws IllegalArgumentException when another store opened it
     */
    public static NativeFile nativeFile(OpenPidFile file) {
        if (file instanceof NativeFile f) {
            return f;
        }
        throw new IllegalArgumentException(file + " was not opened through the C library");
    }

    /** One {@code lstat} when the C library is bound here; the JDK's view otherwise. */
    @Override
    public Optional<PathFacts> examine(Path path) throws IOException {
        return Binding.errors() != null ? NativeFile.lstat(Binding.errors(), path) : PathFacts.read(path);
    }

    /** One {@code stat} when the C library is bound here; the JDK's view otherwise. */
    @Override
    public Optional<PathFacts> examineFollowing(Path dir) throws IOException {
        return Binding.errors() != null ? NativeFile.stat(Binding.errors(), dir) : PathFacts.readFollowing(dir);
    }

    @Override
    public OpenPidFile open(Path path, OpenRequest request) throws IOException {
        NativeFile.OpenOptions options = request.forLocking()
                ? NativeFile.OpenOptions.forLocking(request.createMode()) : NativeFile.OpenOptions.forReading();
        return NativeFile.open(Binding.errors(), path, options.inheritable(request.inheritable()));
    }

    @Override
    public String toString() {
        return "PidFileStore[descriptor]";
    }
}
