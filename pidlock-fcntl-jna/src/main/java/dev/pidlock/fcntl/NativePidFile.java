package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.RetryingWait;
import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.LockProbe;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;

/** A pidfile open through the C library, locked with one {@link LockKind}. */
final class NativePidFile implements PidFileHandle {

    private final NativeFile file;
    private final LockKind kind;
    private boolean locked;

    NativePidFile(NativeFile file, LockKind kind) {
        this.file = file;
        this.kind = kind;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public FileIdentity identity() {
        return file.identity();
    }

    @Override
    public boolean tryLock() throws IOException {
        locked = kind.tryLock(file);
        return locked;
    }

    /** Retries the non-blocking lock: see {@link RetryingWait}. */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        return RetryingWait.lock(this::tryLock, timeout, file.path());
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
    public byte[] read(int limit) throws IOException {
        return file.read(limit);
    }

    @Override
    public void replaceContent(byte[] content) throws IOException {
        file.replaceContent(content);
    }

    @Override
    public void setMode(Set<PosixFilePermission> mode) throws IOException {
        file.setMode(mode);
    }

    @Override
    public void setOwner(String owner, String group) throws IOException {
        file.setOwner(owner, group);
    }

    @Override
    public OptionalInt descriptor() {
        return file.isClosed() ? OptionalInt.empty() : OptionalInt.of(file.fd());
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "NativePidFile[" + file.path() + ", " + file.identity() + "]";
    }
}
