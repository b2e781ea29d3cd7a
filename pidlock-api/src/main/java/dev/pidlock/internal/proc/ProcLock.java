package dev.pidlock.internal.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One lock as Linux lists it in {@code /proc/locks} and in the {@code lock:} lines of
 * {@code /proc/PID/fdinfo/FD}: {@code 1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF}; a request that waits
 * for it has {@code ->} after the number.
 *
 * @param id      the lock's number in {@code /proc/locks}, where a waiter has the number of the lock it waits
 *                for; in {@code fdinfo}, its number among the descriptor's locks
 * @param waiting whether this is a request that waits ({@code ->}) rather than a lock that is held
 * @param kind    {@code FLOCK}, {@code POSIX}, {@code OFDLCK}, {@code LEASE}, …
 * @param write   whether it is a write (exclusive) lock
 * @param pid     the holder's pid as the kernel reports it (-1 for OFD locks on older kernels)
 * @param major   the major number of the file's device
 * @param minor   the minor number of the file's device
 * @param inode   the file's inode number
 */
public record ProcLock(long id, boolean waiting, String kind, boolean write, long pid, long major, long minor,
                       long inode) {

    /**
     * @param device a file's glibc-encoded {@code st_dev}
     * @param inode  its {@code st_ino}
     * @return whether this lock is on that file
     */
    public boolean isOn(long device, long inode) {
        return major == major(device) && minor == minor(device) && this.inode == inode;
    }

    /**
     * @param lines the lines of {@code /proc/locks}
     * @return the locks and waiting requests they list, in their order; lines of another form are passed over
     */
    public static List<ProcLock> parseLocks(List<String> lines) {
        List<ProcLock> out = new ArrayList<>();
        for (String line : lines) {
            parse(line).ifPresent(out::add);
        }
        return out;
    }

    /**
     * @param lines the lines of {@code /proc/PID/fdinfo/FD}
     * @return the locks its {@code lock:} lines list (Linux 4.x and later): the locks on the descriptor's file
     */
    public static List<ProcLock> parseFdinfo(List<String> lines) {
        List<ProcLock> out = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("lock:")) {
                parse(line.substring("lock:".length())).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * @param line a line of {@code /proc/locks}
     * @return the lock it lists; empty when it is of another form
     */
    static Optional<ProcLock> parse(String line) {
        String[] w = line.trim().split("\\s+");
        // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's line has "->" after the number
        if (w.length < 2 || !w[0].endsWith(":")) {
            return Optional.empty();
        }
        boolean waiting = w[1].equals("->");
        int i = waiting ? 2 : 1;
        if (w.length < i + 5) {
            return Optional.empty();
        }
        String[] device = w[i + 4].split(":");
        if (device.length != 3) {
            return Optional.empty();
        }
        long id;
        long major;
        long minor;
        long inode;
        try {
            id = Long.parseLong(w[0].substring(0, w[0].length() - 1));
            major = Long.parseLong(device[0], 16);
            minor = Long.parseLong(device[1], 16);
            inode = Long.parseUnsignedLong(device[2]); // an inode number is an unsigned 64-bit value
        } catch (NumberFormatException e) {
            return Optional.empty(); // "<none>:0" of a lock on no inode, or not a lock line at all
        }
        long pid;
        try {
            pid = Long.parseLong(w[i + 3]);
        } catch (NumberFormatException e) {
            pid = -1;
        }
        return Optional.of(new ProcLock(id, waiting, w[i], w[i + 2].equals("WRITE"), pid, major, minor, inode));
    }

    /**
     * @param dev a glibc-encoded {@code st_dev}
     * @return its major number
     */
    public static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    /**
     * @param dev a glibc-encoded {@code st_dev}
     * @return its minor number
     */
    public static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }
}
