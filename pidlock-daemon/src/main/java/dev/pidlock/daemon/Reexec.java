package dev.pidlock.daemon;

import dev.pidlock.fcntl.spawn.Spawn;
import dev.pidlock.fcntl.spawn.SpawnException;
import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A reload: the daemon replaces itself with a fresh start of the same program ({@code execve} of the command line
 * that started this JVM), keeping its pid and its lock. The locked descriptor is passed across the exec; the new
 * JVM finds its number in {@value #LOCK_FD_VARIABLE}, checks with the kernel that the descriptor holds a lock on
 * the pidfile, and keeps it as its own. The lock is never released in between, so no other instance can take it
 * and {@code status} never finds the daemon not running; only one process is involved, so two never run.
 */
final class Reexec {
    /** The number of the locked descriptor a reloading daemon passes to its successor. */
    static final String LOCK_FD_VARIABLE = "PIDLOCK_DAEMON_LOCK_FD";

    private Reexec() {
    }

    /** A lock taken over from the JVM this one replaced: its descriptor and the pidfile's identity. */
    record Adopted(int fd, Path path, long device, long inode) {

        /**
         * Gives the lock up as a release does: removes the pidfile while it is still the locked file (a file put
         * in its place meanwhile is left alone), then closes the descriptor, which drops the lock.
         */
        void release() {
            try {
                Optional<long[]> now = identity(path);
                if (now.isPresent() && now.get()[0] == device && now.get()[1] == inode) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                System.getLogger(Reexec.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot remove the pidfile " + path + ": " + e.getMessage());
            } finally {
                try {
                    Spawn.closeDescriptor(fd);
                } catch (SpawnException e) {
                    System.getLogger(Reexec.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
                }
            }
        }

        /** Touches the pidfile (not following a link): how a {@code reload} from outside sees the new start. */
        void announce() {
            try {
                Optional<long[]> now = identity(path);
                if (now.isPresent() && now.get()[0] == device && now.get()[1] == inode) {
                    FileTime t = FileTime.fromMillis(System.currentTimeMillis());
                    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setTimes(t, null, null);
                }
            } catch (IOException e) {
                System.getLogger(Reexec.class.getName()).log(System.Logger.Level.DEBUG,
                        "cannot touch the pidfile " + path + ": " + e.getMessage());
            }
        }
    }

    /**
     * The lock this JVM was given by the daemon it replaced, when {@value #LOCK_FD_VARIABLE} names a descriptor
     * that the kernel shows holding a lock on {@code pidfile}. Anything else (no variable, a number that is not
     * such a descriptor: a process that inherited the variable but not the descriptor) is no lock.
     *
     * @param pidfile the daemon's pidfile
     * @return the adopted lock, its descriptor made close-on-exec again
     */
    static Optional<Adopted> adopt(Path pidfile) {
        String value = System.getenv(LOCK_FD_VARIABLE);
        if (value == null) {
            return Optional.empty();
        }
        int fd;
        try {
            fd = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (fd < 3) {
            return Optional.empty();
        }
        Optional<long[]> id = identity(pidfile);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        long device = id.get()[0];
        long inode = id.get()[1];
        Optional<List<ProcLock>> locks = ProcFs.fdLocks(ProcessHandle.current().pid(), fd);
        if (locks.isEmpty() || locks.get().stream().noneMatch(l -> !l.waiting() && l.isOn(device, inode))) {
            return Optional.empty();
        }
        try {
            Spawn.setCloseOnExec(fd);
        } catch (SpawnException e) {
            return Optional.empty();
        }
        return Optional.of(new Adopted(fd, pidfile, device, inode));
    }

    /**
     * Replaces this JVM with the command that started it, passing the locked descriptor. Returns only when the
     * exec failed.
     *
     * @param command the command line to run: this JVM's, with the start action
     * @param lockFd  the locked descriptor
     * @param keepIgnored a signal that stays ignored across the exec when it is ignored now (the reload signal)
     * @throws IOException when the exec fails
     */
    static void exec(List<String> command, int lockFd, int keepIgnored) throws IOException {
        List<String> argv = new ArrayList<>(command);
        try {
            // the binary this JVM runs, not argv[0] looked up in PATH again
            argv.set(0, Path.of("/proc/self/exe").toRealPath().toString());
        } catch (IOException e) {
            // argv[0] as it was
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put(LOCK_FD_VARIABLE, Integer.toString(lockFd));
        System.out.flush();
        System.err.flush();
        Spawn.exec(new Spawn.Request(argv, env, OptionalInt.of(lockFd), new Spawn.Inherit(), new Spawn.Inherit(),
                new Spawn.Inherit(), false), java.util.Set.of(keepIgnored));
    }

    /** @return the file's device and inode, not following a link; empty when it does not exist */
    static Optional<long[]> identity(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(new long[] {((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue()});
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
