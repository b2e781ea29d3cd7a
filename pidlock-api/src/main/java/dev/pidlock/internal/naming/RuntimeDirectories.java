package dev.pidlock.internal.naming;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The default directory for pidfiles, the same for every session of a user: for root {@code /run} (never
 * {@code $XDG_RUNTIME_DIR} or {@code /run/user/0}, which differ between an ssh session and cron, and which
 * logind deletes with the last session), for other users the first usable of {@code $XDG_RUNTIME_DIR} and
 * {@code /run/user/$UID}; then {@code /var/run}, then a private 0700 folder {@code pidlock-$UID} under
 * {@code java.io.tmpdir}. Usable means: an existing directory (symlinks to one are fine), writable by us,
 * owned by us or by root, and not writable by others without the sticky bit; a candidate that is not is
 * skipped with a DEBUG log line saying why. A directory given explicitly must pass the same ownership and
 * mode rule ({@link #refuseExplicit}).
 */
public final class RuntimeDirectories {

    /** What resolution looks at; the system's in production, made up in tests. */
    public record Environment(Map<String, String> variables, long uid, Path tmpdir, Predicate<Path> usable) {
    }

    private static final System.Logger LOG = System.getLogger("dev.pidlock");

    private RuntimeDirectories() {
    }

    /**
     * @param env what to look at
     * @return the candidates in order, without the tmpdir fallback
     */
    public static List<Path> candidates(Environment env) {
        List<Path> out = new ArrayList<>();
        if (env.uid() == 0) {
            out.add(Path.of("/run"));
            out.add(Path.of("/var/run"));
            return out;
        }
        String xdg = env.variables().get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && isAbsolute(xdg)) {
            out.add(Path.of(xdg));
        }
        if (env.uid() >= 0) {
            out.add(Path.of("/run/user/" + env.uid()));
        }
        out.add(Path.of("/var/run"));
        return out;
    }

    /**
     * @param env what to look at
     * @return the first usable candidate, or empty when the private tmpdir folder must be used
     */
    public static Optional<Path> firstUsable(Environment env) {
        return candidates(env).stream().filter(env.usable()).findFirst();
    }

    /** @return the private fallback folder for {@code uid} under {@code tmpdir} */
    public static Path privateFolder(Path tmpdir, long uid) {
        return tmpdir.resolve("pidlock-" + (uid >= 0 ? Long.toString(uid) : System.getProperty("user.name")));
    }

    /**
     * Resolves the default directory of this JVM, creating the private folder when needed.
     *
     * @return the directory
     * @throws IOException when the private folder cannot be created or is not ours
     */
    public static Path resolve() throws IOException {
        long uid = currentUid();
        Environment env = new Environment(System.getenv(), uid,
                Path.of(System.getProperty("java.io.tmpdir")), dir -> isUsable(dir, uid));
        Optional<Path> found = firstUsable(env);
        if (found.isPresent()) {
            return found.get();
        }
        return ensurePrivateFolder(privateFolder(env.tmpdir(), env.uid()), env.uid());
    }

    /** @return this process's real uid on Unix, or -1 when it cannot be read */
    public static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            try {
                Path home = Path.of(System.getProperty("user.home"));
                return ((Number) Files.getAttribute(home, "unix:uid")).longValue();
            } catch (IOException | RuntimeException e2) {
                return -1;
            }
        }
    }

    private static boolean isAbsolute(String path) {
        try {
            return Path.of(path).isAbsolute();
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** Whether a candidate is usable by this process's user; when it is not, a DEBUG line says why. */
    static boolean isUsable(Path dir) {
        return isUsable(dir, currentUid());
    }

    /** Whether a candidate is usable by {@code uid}; when it is not, a DEBUG line says why. */
    static boolean isUsable(Path dir, long uid) {
        Optional<String> why = whyUnusable(dir, uid);
        why.ifPresent(reason -> LOG.log(System.Logger.Level.DEBUG,
                () -> "skipping " + dir + " as the default pidfile directory: " + reason));
        return why.isEmpty();
    }

    /**
     * @param dir a candidate (a symlink to a directory is followed)
     * @param uid whose pidfiles would go there
     * @return why it is not usable, or empty when it is
     */
    static Optional<String> whyUnusable(Path dir, long uid) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(dir, "unix:mode,uid");
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.of("it does not exist");
        } catch (IOException | RuntimeException e) {
            return Optional.of("it cannot be read (" + e + ")");
        }
        int mode = ((Number) a.get("mode")).intValue();
        long owner = ((Number) a.get("uid")).longValue();
        if ((mode & 0170000) != 0040000) {
            return Optional.of("it is not a directory");
        }
        Optional<String> unsafe = unsafe(owner, mode, uid);
        if (unsafe.isPresent()) {
            return unsafe;
        }
        if (!Files.isWritable(dir)) {
            return Optional.of("it is not writable by uid " + uid + " (owner uid " + owner + ", mode "
                    + octal(mode) + ")");
        }
        return Optional.empty();
    }

    /**
     * The rule a pidfile directory given explicitly ({@code directory(…)}, {@code --dir}) must pass: owned by
     * the user or root (root may name any user's directory: a service that runs as that user), and not writable
     * by others without the sticky bit. A directory that does not exist
     * (or cannot be read) passes here: opening the pidfile reports it.
     *
     * @param dir the directory
     * @param uid the user, -1 when unknown (then only the mode is checked)
     * @return why it is refused, naming its owner and mode, or empty
     */
    public static Optional<String> refuseExplicit(Path dir, long uid) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(dir, "unix:mode,uid");
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & 0170000) != 0040000) {
            return Optional.empty();
        }
        // root names a user's directory on purpose (its service's): only the mode is checked then
        return unsafe(((Number) a.get("uid")).longValue(), mode, uid == 0 ? -1 : uid)
                .map(reason -> "refusing pidfile directory " + dir + ": " + reason);
    }

    private static Optional<String> unsafe(long owner, int mode, long uid) {
        if (uid >= 0 && owner != uid && owner != 0) {
            return Optional.of("it is owned by uid " + owner + ", not by uid " + uid + " or root (mode "
                    + octal(mode) + ")");
        }
        if ((mode & 0002) != 0 && (mode & 01000) == 0) {
            return Optional.of("it is writable by others without the sticky bit (mode " + octal(mode)
                    + ", owner uid " + owner + ")");
        }
        return Optional.empty();
    }

    private static String octal(int mode) {
        return String.format(java.util.Locale.ROOT, "%04o", mode & 07777);
    }

    static Path ensurePrivateFolder(Path folder, long uid) throws IOException {
        try {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        Map<String, Object> a = Files.readAttributes(folder, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int mode = ((Number) a.get("mode")).intValue();
        if ((mode & 0170000) != 0040000) {
            throw new IOException("private pidfile folder " + folder + " is not a directory (or is a symlink)");
        }
        if (uid >= 0 && ((Number) a.get("uid")).longValue() != uid) {
            throw new IOException("private pidfile folder " + folder + " belongs to uid " + a.get("uid")
                    + ", not to us (uid " + uid + ")");
        }
        if ((mode & 0077) != 0) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        }
        return folder;
    }
}
