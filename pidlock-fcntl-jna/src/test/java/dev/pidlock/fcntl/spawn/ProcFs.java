package dev.pidlock.fcntl.spawn;

import dev.pidlock.fcntl.libc.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/** Test helpers: what {@code /proc} says about a process, and descriptors opened the way the lead opens them. */
final class ProcFs {
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int F_DUPFD = 0;
    static final int F_GETFD = 1;
    static final int FD_CLOEXEC = 1;

    private ProcFs() {
    }

    /** @return a descriptor of the file, opened (created) read-write WITHOUT {@code O_CLOEXEC} */
    static int openInheritable(Path file) {
        int fd = Libc.open(CStrings.bytes(file.toString(), "file"), O_RDWR | O_CREAT, 0644);
        if (fd < 0) {
            throw new AssertionError("open " + file + ": errno " + Libc.errno());
        }
        return fd;
    }

    /** @return a duplicate of fd numbered {@code min} or higher, WITHOUT {@code FD_CLOEXEC} */
    static int dupAtLeast(int fd, int min) {
        int dup = Libc.fcntl(fd, F_DUPFD, min);
        if (dup < 0) {
            throw new AssertionError("F_DUPFD: errno " + Libc.errno());
        }
        return dup;
    }

    static void close(int fd) {
        Libc.close(fd);
    }

    /** @return whether fd is open in this JVM and survives exec */
    static boolean inheritable(int fd) {
        int flags = Libc.fcntl(fd, F_GETFD, 0);
        return flags >= 0 && (flags & FD_CLOEXEC) == 0;
    }

    /** @return the descriptors open in the process */
    static Set<Integer> fds(long pid) throws IOException {
        Set<Integer> out = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : dir) {
                out.add(Integer.parseInt(p.getFileName().toString()));
            }
        }
        return out;
    }

    /** @return what the process's descriptor refers to */
    static String target(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** @return a field of {@code /proc/PID/status}, for example {@code SigBlk} */
    static String status(String pidOrSelf, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pidOrSelf + "/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pidOrSelf + "/status");
    }

    /** @return field {@code n} (1-based, as in proc(5)) of {@code /proc/PID/stat} */
    static long statField(long pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(rest[n - 3]);
    }

    /** @return the session id of the process */
    static long session(long pid) throws IOException {
        return statField(pid, 6);
    }

    /**
     * Waits until the process runs {@code comm} and sleeps in it. {@code posix_spawn} returns when the kernel
     * releases the parent in the middle of the child's exec, before the exec has closed the close-on-exec
     * descriptors; only then is what the child has final.
     */
    static void awaitSleeping(long pid, String comm) throws IOException {
        for (int i = 0; i < 3000; i++) {
            if (comm.equals(comm(pid)) && statState(pid) == 'S') {
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(pid + " does not sleep in " + comm + " but is " + comm(pid));
    }

    private static char statState(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** @return the name of the process's executable ({@code comm}), null when it is gone */
    static String comm(long pid) throws IOException {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }
}
