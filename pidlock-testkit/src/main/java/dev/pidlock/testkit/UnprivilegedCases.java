package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.UnsafePidFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An unprivileged acquirer: when the suite runs as root, a child JVM running as user {@code nobody} faces an
 * unwritable directory, pidfiles owned by root, and a world-writable directory without the sticky bit. Each
 * gets one clear error, and nothing changes; skipped, saying why, when not run as root. A topic of
 * {@link HostileInputTorture}.
 *
 * <p>The test prints one {@code TORTURE suite=hostile-unprivileged} line and a {@code HOSTILE unprivileged}
 * line per path tried.
 *
 * @since 0.1
 */
public abstract class UnprivilegedCases extends HostileInputCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected UnprivilegedCases() {
    }

    /**
     * Run as root, the suite starts one child JVM as user {@code nobody} that tries, with the backend under
     * test: a pidfile in a directory it cannot write (refused: {@code EACCES}, one line naming the path); a
     * pidfile owned by root, mode 0644, in a directory it cannot write (refused the same way); one owned by
     * root, mode 0666 (it may open and lock it, but not set its mode: refused with {@code EPERM} before anything is
     * written); one in a world-writable
     * directory without the sticky bit (refused as unsafe); one owned by root in a sticky world-writable
     * directory (refused: {@code EACCES}); and, as the control that shows the child can lock at all, a new
     * pidfile in that sticky directory (acquired, owned by {@code nobody}, mode 0644, removed on release).
     * Nothing else changes. Skipped, saying why, when not run as root.
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void unprivilegedAcquirerGetsOneClearErrorAndChangesNothing() throws Exception {
        assumeTrue(Unprivileged.isRoot(), "the unprivileged cases switch to user nobody, which needs root;"
                + " this suite runs as another user");
        Optional<List<String>> prefix = Unprivileged.prefix();
        assumeTrue(prefix.isPresent(), "neither setpriv nor runuser is installed, or there is no user nobody");
        assumeTrue(Unprivileged.othersCanPass(dir.getParent()), "user nobody cannot reach the temporary"
                + " directory " + dir + " (java.io.tmpdir)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path area = Files.createDirectory(dir.resolve("area"));
        Path scratch = Files.createDirectory(dir.resolve("scratch"));
        Files.setPosixFilePermissions(area, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path locked = directory(area.resolve("locked"), "rwxr-xr-x");
        Path foreign = directory(area.resolve("foreign"), "rwxr-xr-x");
        Path rootsFile = rootFile(foreign.resolve("app.pid"), "rw-r--r--");
        Path shared = rootFile(foreign.resolve("shared.pid"), "rw-rw-rw-");
        Path open = directory(area.resolve("open"), "rwxrwxrwx");
        Path sticky = directory(area.resolve("sticky"), "rwxrwxrwx");
        run("chmod", "1777", sticky.toString());
        Path stickyRoots = rootFile(sticky.resolve("root.pid"), "rw-r--r--");
        List<Path> paths = List.of(locked.resolve("app.pid"), rootsFile, shared, open.resolve("app.pid"), stickyRoots,
                sticky.resolve("mine.pid"));
        TreeSnapshot before = TreeSnapshot.take(area);

        Unprivileged.Command command = Unprivileged.command(scratch, prefix.get(), AttemptChild.class.getName(),
                Stream.concat(Stream.of(backendId()), paths.stream().map(Path::toString)).toArray(String[]::new));
        long violations = 1;
        try (ChildProcess child = ChildProcess.start(null, command.command())) {
            String whoami = child.expect("WHOAMI ");
            assertEquals("WHOAMI " + Unprivileged.uid(), whoami, "the child must run as " + Unprivileged.USER
                    + "; stderr:\n" + child.stderr());
            List<String[]> results = new ArrayList<>();
            for (int i = 1; i <= paths.size(); i++) {
                String line = child.expect("RESULT " + i + " ");
                System.out.println("HOSTILE unprivileged backend=" + backendId() + " " + line);
                results.add(line.split(" ", 7));
            }
            child.expect("DONE");
            assertEquals(0, child.waitFor(), child.stderr());

            accessDenied(results.get(0), paths.get(0));
            accessDenied(results.get(1), paths.get(1));
            notPermitted(results.get(2), paths.get(2));
            String[] unsafe = results.get(3);
            assertEquals("UnsafePidFileException", unsafe[3], String.join(" ", unsafe));
            assertTrue(unsafe[6].contains(paths.get(3).toString()) && unsafe[6].contains("world-writable"),
                    String.join(" ", unsafe));
            assertEquals("lines=1", unsafe[5], String.join(" ", unsafe));
            accessDenied(results.get(4), paths.get(4));
            String[] mine = results.get(5);
            assertEquals("ACQUIRED", mine[2], "the control: nobody can lock where it may write: "
                    + String.join(" ", mine) + "; stderr:\n" + child.stderr());
            assertEquals(Integer.toString(Unprivileged.uid()), mine[4], "owned by nobody: " + String.join(" ", mine));
            assertEquals("644", mine[5], "mode 0644: " + String.join(" ", mine));

            List<String> changes = TreeSnapshot.take(area).changesSince(before);
            assertTrue(changes.isEmpty(), "nothing may change: " + changes);
            violations = 0;
            if (!command.copied().isEmpty()) {
                System.out.println("HOSTILE unprivileged backend=" + backendId() + ": copied "
                        + command.copied().size() + " class path entries " + Unprivileged.USER
                        + " cannot read to " + scratch.resolve("classpath"));
            }
        } finally {
            TortureSettings.report("hostile-unprivileged", backendId(), 2, paths.size(), 0, violations);
        }
    }

    /** An EACCES refusal: {@code RESULT i ERROR PidFileAccessException EACCES lines=1 message}. */
    private static void accessDenied(String[] result, Path path) {
        String line = String.join(" ", result);
        assertEquals("PidFileAccessException", result[3], line);
        assertEquals("EACCES", result[4], line);
        assertEquals("lines=1", result[5], line);
        assertTrue(result[6].contains(path.toString()) && result[6].contains("EACCES"), line);
    }

    /** An EPERM refusal (the mode of another user's file cannot be set): one line naming the path. */
    private static void notPermitted(String[] result, Path path) {
        String line = String.join(" ", result);
        assertEquals("PidFileAccessException", result[3], line);
        assertEquals("EPERM", result[4], line);
        assertEquals("lines=1", result[5], line);
        assertTrue(result[6].contains(path.toString()) && result[6].contains("EPERM"), line);
    }

    private static Path directory(Path d, String mode) throws IOException {
        Files.createDirectory(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    private static Path rootFile(Path f, String mode) throws IOException {
        Files.writeString(f, "garbage that names no live process\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        Files.setLastModifiedTime(f, LONG_AGO);
        return f;
    }
}
