package dev.pidlock.fcntl;

import dev.pidlock.fcntl.libc.Libc;
import dev.pidlock.fcntl.libc.NativeFile;
import dev.pidlock.fcntl.libc.Platform;
import dev.pidlock.fcntl.libc.ProcLocks;
import dev.pidlock.spi.LockProbe;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** How one family of kernel lock is taken, given up and probed on an open pidfile. */
abstract class LockKind {

    /** @return true when taken, false when somebody else holds it */
    abstract boolean tryLock(NativeFile f) throws IOException;

    abstract void unlock(NativeFile f) throws IOException;

    /** Looks without taking. */
    abstract LockProbe probe(NativeFile f) throws IOException;

    /**
     * The calls of {@link #probe} that can fail, for the availability probe: the kernel's {@code F_GETLK} of
     * the {@code fcntl} kinds. Reading {@code /proc/locks} cannot fail (unreadable, it answers "unknown"), so
     * it is left out: it cost the first run of a command 2–15 ms of its start-up.
     */
    void selfCheck(NativeFile f) throws IOException {
        probe(f);
    }

    /** {@code fcntl} record locks on the whole file: OFD ({@code F_OFD_*}) or classic POSIX ({@code F_*}). */
    static final class Fcntl extends LockKind {
        private final boolean ofd;

        Fcntl(boolean ofd) {
            this.ofd = ofd;
        }

        @Override
        boolean tryLock(NativeFile f) throws IOException {
            return f.fcntlLock(ofd);
        }

        @Override
        void unlock(NativeFile f) throws IOException {
            f.fcntlUnlock(ofd);
        }

        @Override
        LockProbe probe(NativeFile f) throws IOException {
            return f.fcntlProbe(ofd);
        }
    }

    /** {@code flock(2)}: the BSD lock on the open file description. */
    static final class Flock extends LockKind {
        /** Its probe only reads {@code /proc/locks}, which cannot fail. */
        @Override
        void selfCheck(NativeFile f) {
            // nothing that can fail
        }

        @Override
        boolean tryLock(NativeFile f) throws IOException {
            if (Libc.flock(f.fd(), Platform.LOCK_EX | Platform.LOCK_NB) == 0) {
                return true;
            }
            int errno = Libc.errno();
            if (f.errors().meansHeld(errno)) {
                return false;
            }
            throw f.errors().failure("flock(LOCK_EX|LOCK_NB)", f.path(), errno);
        }

        @Override
        void unlock(NativeFile f) throws IOException {
            if (Libc.flock(f.fd(), Platform.LOCK_UN) != 0) {
                throw f.errors().failure("flock(LOCK_UN)", f.path(), Libc.errno());
            }
        }

        /** Reads {@code /proc/locks} (Linux): no lock is taken, and the kernel names the holder. */
        @Override
        LockProbe probe(NativeFile f) {
            if (!f.platform().procLocks()) {
                return LockProbe.unknown();
            }
            Optional<List<ProcLocks.Lock>> locks = ProcLocks.on(f.identity());
            if (locks.isEmpty()) {
                return LockProbe.unknown();
            }
            for (ProcLocks.Lock l : locks.get()) {
                if (l.kind().equals("FLOCK")) {
                    return l.pid() > 0 ? LockProbe.heldBy(l.pid()) : LockProbe.held();
                }
            }
            return LockProbe.free();
        }
    }

    /**
     * Both an OFD lock and a {@code flock(2)} lock on one descriptor: conflicts with both families of peers.
     * The OFD lock is taken first and given back when the flock cannot be had.
     */
    static final class OfdAndFlock extends LockKind {
        private final Fcntl ofd = new Fcntl(true);
        private final Flock flock = new Flock();

        @Override
        boolean tryLock(NativeFile f) throws IOException {
            if (!ofd.tryLock(f)) {
                return false;
            }
            boolean both = false;
            try {
                both = flock.tryLock(f);
                return both;
            } finally {
                if (!both) {
                    ofd.unlock(f);
                }
            }
        }

        @Override
        void unlock(NativeFile f) throws IOException {
            try {
                flock.unlock(f);
            } finally {
                ofd.unlock(f);
            }
        }

        @Override
        LockProbe probe(NativeFile f) throws IOException {
            LockProbe first = ofd.probe(f);
            if (first.state() == LockProbe.State.HELD) {
                if (first.holderPid().isEmpty()) {
                    LockProbe other = flock.probe(f);
                    if (other.holderPid().isPresent()) {
                        return other;
                    }
                }
                return first;
            }
            LockProbe second = flock.probe(f);
            return second.state() == LockProbe.State.UNKNOWN ? LockProbe.unknown() : second;
        }

        @Override
        void selfCheck(NativeFile f) throws IOException {
            ofd.selfCheck(f);
            flock.selfCheck(f);
        }
    }
}
