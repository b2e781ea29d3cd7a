package dev.pidlock.fcntl.libc;

import dev.pidlock.spi.FileIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Linux's {@code /proc/locks}: every lock the kernel holds, with its kind, holder pid and file. Reading it
 * is how pidlock probes a {@code flock(2)} lock without taking it.
 */
public final class ProcLocks {
    private static final Path PROC_LOCKS = Path.of("/proc/locks");

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
     * @return the kernel's locks on it; empty when there are none or {@code /proc/locks} is unreadable
     */
    public static Optional<List<Lock>> on(FileIdentity file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(PROC_LOCKS);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(parse(lines, file));
    }

    /**
     * @param lines the lines of {@code /proc/locks}
     * @param file  the file's identity
     * @return the locks on it
     */
    public static List<Lock> parse(List<String> lines, FileIdentity file) {
        String key = Long.toHexString(major(file.device())) + ":" + Long.toHexString(minor(file.device())) + ":"
                + file.inode();
        List<Lock> out = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.trim().split("\\s+");
            // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's line has "->" after the number
            int i = 1;
            if (w.length > i && w[i].equals("->")) {
                continue;
            }
            if (w.length < i + 6) {
                continue;
            }
            String[] dmi = w[i + 4].split(":");
            if (dmi.length != 3) {
                continue;
            }
            String normalized = Long.toHexString(Long.parseLong(dmi[0], 16)) + ":"
                    + Long.toHexString(Long.parseLong(dmi[1], 16)) + ":" + dmi[2];
            if (!normalized.equals(key)) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(w[i + 3]);
            } catch (NumberFormatException e) {
                pid = -1;
            }
            out.add(new Lock(w[i], w[i + 2].equals("WRITE"), pid));
        }
        return out;
    }

    /** @return the major number of a glibc-encoded {@code st_dev} */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    /** @return the minor number of a glibc-encoded {@code st_dev} */
    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }
}
