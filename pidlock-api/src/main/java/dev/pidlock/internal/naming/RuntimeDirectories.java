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
 * The default directory for pidfiles: the first usable of {@code $XDG_RUNTIME_DIR}, {@code /run/user/$UID},
 * {@code /run} (root only), {@code /var/run}, then a private 0700 folder {@code pidlock-$UID} under
 * {@code java.io.tmpdir}. Usable means: an existing directory (symlinks to one are fine), writable by us,
 * and not world-writable without the sticky bit.
 */
public final class RuntimeDirectories {

    /** What resolution looks at; the system's in production, made up in tests. */
    public record Environment(Map<String, String> variables, long uid, Path tmpdir, Predicate<Path> usable) {
    }

    private RuntimeDirectories() {
    }

    /**
     * @param env what to look at
     * @return the candidates in order, without the tmpdir fallback
     */
    public static List<Path> candidates(Environment env) {
        List<Path> out = new ArrayList<>();
        String xdg = env.variables().get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            out.add(Path.of(xdg));
        }
        if (env.uid() >= 0) {
            out.add(Path.of("/run/user/" + env.uid()));
        }
        if (env.uid() == 0) {
            out.add(Path.of("/run"));
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
        Environment env = new Environment(System.getenv(), currentUid(),
                Path.of(System.getProperty("java.io.tmpdir")), RuntimeDirectories::isUsable);
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

    static boolean isUsable(Path dir) {
        try {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                return false;
            }
            int mode = ((Number) Files.getAttribute(dir, "unix:mode")).intValue();
            return (mode & 0002) == 0 || (mode & 01000) != 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
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
