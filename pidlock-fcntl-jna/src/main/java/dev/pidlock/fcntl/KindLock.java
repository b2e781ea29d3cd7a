package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.ReleaseWait;
import dev.pidlock.fcntl.libc.SelfCheck;
import dev.pidlock.spi.Exclusion;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.time.Duration;

/** One {@link LockKind} on one open pidfile. */
final class KindLock implements Exclusion, SelfCheck {

    private final NativeFile file;
    private final LockKind kind;
    private boolean locked;

    KindLock(NativeFile file, LockKind kind) {
        this.file = file;
        this.kind = kind;
    }

    @Override
    public boolean tryLock() throws IOException {
        locked = kind.tryLock(file);
        return locked;
    }

    /** Sleeps until the pidfile shows a release, see {@link ReleaseWait}. */
    @Override
    public boolean lock(Duration timeout) throws IOException, InterruptedException {
        return ReleaseWait.lock(file, this::tryLock, timeout);
    }

    @Override
    public LockProbe probe() throws IOException {
        return kind.probe(file);
    }

    @Override
    public void selfCheck() throws IOException {
        kind.selfCheck(file);
    }

    @Override
    public void unlock() throws IOException {
        if (locked) {
            locked = false;
            kind.unlock(file);
        }
    }

    /** A kernel lock on the descriptor: the last close of its open file description drops it. */
    @Override
    public boolean releasedByClose() {
        return true;
    }

    @Override
    public String toString() {
        return "KindLock[" + file.path() + ", " + kind.getClass().getSimpleName() + "]";
    }
}
