package dev.pidlock.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Starting a child JVM as user {@code nobody} from a suite that runs as root: {@code setpriv} (or
 * {@code runuser}) drops the user, groups and capabilities; the child's class path is this JVM's, with every
 * entry {@code nobody} cannot read (the local Maven repository under {@code /root}, typically) copied into a
 * world-readable scratch directory; JNA unpacks its library into a scratch directory {@code nobody} owns.
 */
final class Unprivileged {

    /** The unprivileged user. */
    static final String USER = "nobody";

    private Unprivileged() {
    }

    /** @return whether this process runs as root */
    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** @return the command prefix that runs what follows as {@link #USER}, when a tool for it is installed */
    static Optional<List<String>> prefix() {
        Optional<String> uid = id("-u");
        Optional<String> gid = id("-g");
        if (uid.isEmpty() || gid.isEmpty()) {
            return Optional.empty();
        }
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, "setpriv"))) {
                return Optional.of(List.of(dir + "/setpriv", "--reuid=" + uid.get(), "--regid=" + gid.get(),
                        "--clear-groups", "--"));
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            if (Files.isExecutable(Path.of(dir, "runuser"))) {
                return Optional.of(List.of(dir + "/runuser", "-u", USER, "--"));
            }
        }
        return Optional.empty();
    }

    /** @return the numeric uid of {@link #USER} */
    static int uid() {
        return Integer.parseInt(id("-u").orElseThrow(() -> new IllegalStateException("no user " + USER)));
    }

    private static Optional<String> id(String option) {
        try {
            Process p = new ProcessBuilder("id", option, USER).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && out.matches("[0-9]+") ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Builds the command line of a child JVM that runs {@code mainClass} as {@link #USER}.
     *
     * @param scratch   a directory this method may fill (it is made world-readable)
     * @param prefix    what {@link #prefix()} returned
     * @param mainClass the class to run
     * @param args      its arguments
     * @return the command, and what was copied for it (for the report)
     * @throws IOException when copying fails
     */
    static Command command(Path scratch, List<String> prefix, String mainClass, String... args) throws IOException {
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!othersCanRead(launcher)) {
            throw new IOException(launcher + " cannot be run by " + USER);
        }
        Path cp = Files.createDirectories(scratch.resolve("classpath"));
        Path jna = Files.createDirectories(scratch.resolve("jna"));
        UserPrincipal nobody = scratch.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
        Files.setOwner(jna, nobody);
        Files.setPosixFilePermissions(jna, PosixFilePermissions.fromString("rwx------"));

        List<String> entries = new ArrayList<>();
        List<String> copied = new ArrayList<>();
        int n = 0;
        for (String entry : ChildProcess.classPath().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (!Files.exists(p) || othersCanRead(p)) {
                entries.add(entry);
                continue;
            }
            Path copy = cp.resolve((n++) + "-" + p.getFileName());
            copyReadable(p, copy);
            entries.add(copy.toString());
            copied.add(entry);
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(launcher.toString());
        String extra = System.getProperty(ChildProcess.JVM_ARGS_PROPERTY, "").trim();
        if (!extra.isEmpty()) {
            Arrays.stream(extra.split("\\s+")).filter(a -> !a.startsWith("-Djna.tmpdir=")).forEach(cmd::add);
        }
        cmd.add("-Djna.tmpdir=" + jna);
        cmd.add("-XX:-UsePerfData");
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(String.join(java.io.File.pathSeparator, entries));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return new Command(cmd, copied);
    }

    /**
     * A command line for the unprivileged child.
     *
     * @param command the command
     * @param copied  the class path entries that had to be copied for {@link #USER} to read them
     */
    record Command(List<String> command, List<String> copied) {
    }

    /** @return whether others may pass through directory {@code d} and every directory above it */
    static boolean othersCanPass(Path d) throws IOException {
        for (Path a = d.toRealPath(); a != null; a = a.getParent()) {
            if (!Files.getPosixFilePermissions(a).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether every directory above {@code p} lets others through and others may read {@code p} */
    static boolean othersCanRead(Path p) throws IOException {
        Path real = p.toRealPath();
        if (!othersCanPass(real.getParent())) {
            return false;
        }
        Set<PosixFilePermission> own = Files.getPosixFilePermissions(real);
        return own.contains(PosixFilePermission.OTHERS_READ)
                && (!Files.isDirectory(real) || own.contains(PosixFilePermission.OTHERS_EXECUTE));
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(d).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(f).toString());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
