package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.FileIdentity;
import dev.pidlock.spi.PidFileHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;

/**
 * The part of a native backend's handle that does not depend on the kind of lock: identity, content, mode
 * and owner through the open {@link NativeFile}, and a timed wait that retries {@link #tryLock()} (see
 * {@link RetryingWait}). Subclasses take, give up and probe their lock.
 */
public abstract class NativeFileHandle implements PidFileHandle {

    /** The open pidfile. */
    protected final NativeFile file;

    /** @param file the open pidfile */
    protected NativeFileHandle(NativeFile file) {
        this.file = file;
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public FileIdentity identity() {
        return file.identity();
    }

    /** Retries the non-blocking lock: see {@link RetryingWait}. */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        return RetryingWait.lock(this::tryLock, timeout, file.path());
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

    /** Closes the descriptor (which also drops a POSIX lock of this process on the file). */
    @Override
    public void deletePath() throws IOException {
        file.unlinkPath();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
