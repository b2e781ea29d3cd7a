package dev.pidlock.fcntl.libc;

import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcLock;
import dev.pidlock.spi.FileIdentity;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The locks Linux's {@code /proc/locks} lists on one file, with their kind and holder pid, read by the API's
 * {@link ProcFs}. Reading it is how pidlock probes a {@code flock(2)} lock without taking it.
 */
public final class ProcLocks {

    /**
     * One lock.
     *
     * @param kind  {@code FLOCK}, {@code POSIX}, {@code OFDLCK}, …
     * @param write whether it is a write (exclusive) lock
     * @param pid   the holder's pid as the kernel reports it (-1 for OFD locks on older kernels)
     */
    public record Lock(String kind, boolean write, long pid) {
    }

    private ProcLocks() {
    }

    /**
     * @param file the file's identity from {@code fstat}
     * @return the locks held on it, not the requests that wait; empty when {@code /proc/locks} is unreadable
     */
    public static Optional<List<Lock>> on(FileIdentity file) {
        return ProcFs.locks().map(all -> on(all, file));
    }

    /**
     * @param all  the locks of {@code /proc/locks}
     * @param file the file's identity
     * @return those held on it
     */
    static List<Lock> on(List<ProcLock> all, FileIdentity file) {
        return all.stream().filter(l -> !l.waiting() && l.isOn(file.device(), file.inode()))
                .map(l -> new Lock(l.kind(), l.write(), l.pid())).collect(Collectors.toList());
    }
}
