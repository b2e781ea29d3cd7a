package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.NativeFileHandle;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.util.OptionalInt;

/** A pidfile open through the C library, locked with one {@link LockKind}. */
final class NativePidFile extends NativeFileHandle {

    private final LockKind kind;
    private boolean locked;

    NativePidFile(NativeFile file, LockKind kind) {
        super(file);
        this.kind = kind;
    }

    @Override
    public boolean tryLock() throws IOException {
        locked = kind.tryLock(file);
        return locked;
    }

    @Override
    public LockProbe probe() throws IOException {
        return kind.probe(file);
    }

    @Override
    public void unlock() throws IOException {
        if (locked) {
            locked = false;
            kind.unlock(file);
        }
    }

    @Override
    public OptionalInt descriptor() {
        return file.isClosed() ? OptionalInt.empty() : OptionalInt.of(file.fd());
    }

    @Override
    public String toString() {
        return "NativePidFile[" + file.path() + ", " + file.identity() + "]";
    }
}
