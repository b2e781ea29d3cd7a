package dev.pidlock.cli;

import dev.pidlock.internal.proc.ProcFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the user says the process of an unlocked pidfile must be, in the style of {@code start-stop-daemon}:
 * its executable ({@code --exec PATH}: {@code /proc/PID/exe} is that file, by device and inode) and its user
 * ({@code --user NAME|UID}: the owner of {@code /proc/PID}). Every given condition must hold.
 */
final class ProcessMatch {
    private static final Path PASSWD = Path.of("/etc/passwd");

    private final Path exec;
    private final long execDevice;
    private final long execInode;
    private final OptionalLong uid;
    private final String user;

    private ProcessMatch(Path exec, long execDevice, long execInode, OptionalLong uid, String user) {
        this.exec = exec;
        this.execDevice = execDevice;
        this.execInode = execInode;
        this.uid = uid;
        this.user = user;
    }

    /**
     * @param exec the executable, or null
     * @param user a user name or numeric uid, or null
     * @return the match
     * @throws Target.UsageException when the executable does not exist or the user is unknown
     */
    static ProcessMatch of(Path exec, String user) {
        long device = -1;
        long inode = -1;
        if (exec != null) {
            try {
                Map<String, Object> id = Files.readAttributes(exec, "unix:dev,ino");
                device = ((Number) id.get("dev")).longValue();
                inode = ((Number) id.get("ino")).longValue();
            } catch (IOException e) {
                throw new Target.UsageException("--exec " + exec + ": cannot stat it (" + (e instanceof
                        java.nio.file.NoSuchFileException ? "no such file" : Main.message(e)) + ")");
            }
        }
        OptionalLong uid = OptionalLong.empty();
        if (user != null) {
            uid = OptionalLong.of(uidOf(user));
        }
        return new ProcessMatch(exec, device, inode, uid, user);
    }

    /** @return whether no condition was given */
    boolean isEmpty() {
        return exec == null && uid.isEmpty();
    }

    /**
     * @param pid a process
     * @return whether it meets every condition, now
     */
    boolean test(long pid) {
        return mismatch(pid).isEmpty();
    }

    /**
     * @throws Main.CommandFailure (77) when the process does not meet a condition
     */
    void require(Path pidfile, long pid) {
        Optional<String> why = mismatch(pid);
        if (why.isPresent()) {
            throw new Main.CommandFailure(ExitCodes.NO_PERMISSION, "pidfile " + pidfile + " names pid " + pid
                    + ", which " + why.get() + "; not signalling it");
        }
    }

    private Optional<String> mismatch(long pid) {
        if (exec != null) {
            Path exe = Path.of("/proc", Long.toString(pid), "exe");
            try {
                Map<String, Object> id = Files.readAttributes(exe, "unix:dev,ino");
                if (((Number) id.get("dev")).longValue() != execDevice
                        || ((Number) id.get("ino")).longValue() != execInode) {
                    String runs;
                    try {
                        runs = Files.readSymbolicLink(exe).toString();
                    } catch (IOException e) {
                        runs = "another executable";
                    }
                    return Optional.of("runs " + runs + ", not " + exec);
                }
            } catch (IOException e) {
                return Optional.of("has no executable this process can read (" + exe + ": " + Main.message(e)
                        + "), so it cannot be matched with " + exec);
            }
        }
        if (uid.isPresent()) {
            OptionalLong owner = ProcFs.owner(pid);
            if (owner.isEmpty() || owner.getAsLong() != uid.getAsLong()) {
                return Optional.of("runs as " + (owner.isEmpty() ? "an unknown user" : "uid " + owner.getAsLong())
                        + ", not as " + user + (user.equals(Long.toString(uid.getAsLong())) ? ""
                        : " (uid " + uid.getAsLong() + ")"));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (exec != null) {
            parts.add("--exec " + exec);
        }
        if (uid.isPresent()) {
            parts.add("--user " + user);
        }
        return String.join(" ", parts);
    }

    /** A numeric uid as it is; a name from {@code /etc/passwd}. */
    private static long uidOf(String user) {
        if (!user.isEmpty() && user.chars().allMatch(c -> c >= '0' && c <= '9') && user.length() <= 10) {
            return Long.parseLong(user);
        }
        try {
            for (String line : Files.readAllLines(PASSWD, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(user)) {
                    return Long.parseLong(f[2]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new Target.UsageException("--user " + user + ": cannot read " + PASSWD + " (" + e.getMessage()
                    + "); give a numeric uid");
        }
        throw new Target.UsageException("--user " + user + ": no such user in " + PASSWD + "; give a numeric uid");
    }
}
