package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirectoriesTest {

    private static final Path TMP = Path.of("/made/up/tmp");
    private static final Path XDG = Path.of("/run/user/1000-xdg");

    @TempDir
    Path temp;

    private static RuntimeDirectories.Environment env(Map<String, String> variables, long uid, Predicate<Path> usable) {
        return new RuntimeDirectories.Environment(variables, uid, TMP, usable);
    }

    private static Predicate<Path> only(Path... usable) {
        Set<Path> set = Set.of(usable);
        return set::contains;
    }

    private static Predicate<Path> all() {
        return p -> true;
    }

    @Test
    void anAbsoluteXdgRuntimeDirComesFirst() {
        RuntimeDirectories.Environment e = env(Map.of("XDG_RUNTIME_DIR", XDG.toString()), 1000, all());
        assertEquals(List.of(XDG, Path.of("/run/user/1000"), Path.of("/var/run")), RuntimeDirectories.candidates(e));
        assertEquals(Optional.of(XDG), RuntimeDirectories.firstUsable(e));
    }

    @Test
    void aRelativeXdgRuntimeDirIsIgnored() {
        RuntimeDirectories.Environment e = env(Map.of("XDG_RUNTIME_DIR", "relative/dir"), 1000, all());
        assertEquals(List.of(Path.of("/run/user/1000"), Path.of("/var/run")), RuntimeDirectories.candidates(e));
        assertEquals(Optional.of(Path.of("/run/user/1000")), RuntimeDirectories.firstUsable(e));
    }

    @Test
    void aBlankXdgRuntimeDirIsIgnored() {
        RuntimeDirectories.Environment e = env(Map.of("XDG_RUNTIME_DIR", "  "), 1000, all());
        assertEquals(List.of(Path.of("/run/user/1000"), Path.of("/var/run")), RuntimeDirectories.candidates(e));
    }

    @Test
    void anUnusableXdgRuntimeDirFallsThroughToRunUser() {
        RuntimeDirectories.Environment e = env(Map.of("XDG_RUNTIME_DIR", XDG.toString()), 1000,
                only(Path.of("/run/user/1000"), Path.of("/var/run")));
        assertEquals(Optional.of(Path.of("/run/user/1000")), RuntimeDirectories.firstUsable(e));
    }

    /** Root: /run, the same for an ssh session and cron; never XDG_RUNTIME_DIR or /run/user/0. */
    @Test
    void rootUsesRunNeverItsSessionDirectory() {
        RuntimeDirectories.Environment e = env(Map.of("XDG_RUNTIME_DIR", "/run/user/0"), 0, all());
        assertEquals(List.of(Path.of("/run"), Path.of("/var/run")), RuntimeDirectories.candidates(e));
        assertEquals(Optional.of(Path.of("/run")), RuntimeDirectories.firstUsable(e));
        assertEquals(List.of(Path.of("/run"), Path.of("/var/run")),
                RuntimeDirectories.candidates(env(Map.of(), 0, all())));
        assertFalse(RuntimeDirectories.candidates(env(Map.of(), 1000, all())).contains(Path.of("/run")));
    }

    @Test
    void rootGetsVarRunWhenRunIsNotUsable() {
        assertEquals(Optional.of(Path.of("/var/run")),
                RuntimeDirectories.firstUsable(env(Map.of(), 0, only(Path.of("/run/user/0"), Path.of("/var/run")))));
    }

    private Path dir(String name, String mode, long owner) throws IOException {
        Path d = Files.createDirectory(temp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode.substring(mode.length() - 9)));
        if (mode.length() > 9 && mode.charAt(0) == 't') {
            Files.setAttribute(d, "unix:mode", 01000 | (int) Files.getAttribute(d, "unix:mode"));
        }
        if (owner >= 0) {
            Files.setAttribute(d, "unix:uid", (int) owner);
        }
        return d;
    }

    @Test
    void aCandidateOfAnotherUserOrOpenToOthersIsSkippedSayingWhy() throws IOException {
        assumeTrue(posix());
        long us = RuntimeDirectories.currentUid();
        assumeTrue(us == 0, "changing a directory's owner needs root");
        Path theirs = dir("theirs", "rwx------", 4321);
        Path open = dir("open", "rwxrwxrwx", 0);
        Path sticky = dir("sticky", "trwxrwxrwx", 0);
        Path ours = dir("ours", "rwxr-xr-x", 0);
        Optional<String> why = RuntimeDirectories.whyUnusable(theirs, 0);
        assertTrue(why.isPresent() && why.get().contains("owned by uid 4321"), why.toString());
        why = RuntimeDirectories.whyUnusable(open, 0);
        assertTrue(why.isPresent() && why.get().contains("writable by others") && why.get().contains("0777"),
                why.toString());
        assertEquals(Optional.empty(), RuntimeDirectories.whyUnusable(sticky, 0));
        assertEquals(Optional.empty(), RuntimeDirectories.whyUnusable(ours, 0));
        assertTrue(RuntimeDirectories.whyUnusable(temp.resolve("missing"), 0).isPresent());
        assertFalse(RuntimeDirectories.isUsable(theirs, 0));
        assertTrue(RuntimeDirectories.isUsable(ours, 0));
        // a root-owned directory is fine for another user too (as /run/user is)
        assertEquals(Optional.empty(), RuntimeDirectories.whyUnusable(ours, 1000).filter(r -> r.contains("owned")));
    }

    @Test
    void anExplicitDirectoryOfAnotherUserOrOpenToOthersIsRefusedNamingOwnerAndMode() throws IOException {
        assumeTrue(posix());
        assumeTrue(RuntimeDirectories.currentUid() == 0, "changing a directory's owner needs root");
        Optional<String> why = RuntimeDirectories.refuseExplicit(dir("theirs", "rwxr-xr-x", 4321), 1000);
        assertTrue(why.isPresent() && why.get().contains("uid 4321") && why.get().contains("0755"), why.toString());
        // root names a service user's directory on purpose (with --owner, say): only the mode counts for root
        assertEquals(Optional.empty(), RuntimeDirectories.refuseExplicit(dir("service", "rwxr-xr-x", 4321), 0));
        why = RuntimeDirectories.refuseExplicit(dir("open", "rwxrwxrwx", 0), 0);
        assertTrue(why.isPresent() && why.get().contains("0777") && why.get().contains("uid 0"), why.toString());
        assertEquals(Optional.empty(), RuntimeDirectories.refuseExplicit(dir("sticky", "trwxrwxrwx", 4321), 4321));
        assertEquals(Optional.empty(), RuntimeDirectories.refuseExplicit(dir("ours", "rwx------", 0), 0));
        assertEquals(Optional.empty(), RuntimeDirectories.refuseExplicit(temp.resolve("missing"), 0));
    }

    @Test
    void aUserNeverGetsRunEvenWhenItIsUsable() {
        assertEquals(Optional.of(Path.of("/var/run")),
                RuntimeDirectories.firstUsable(env(Map.of(), 1000, only(Path.of("/run"), Path.of("/var/run")))));
        assertEquals(Optional.empty(),
                RuntimeDirectories.firstUsable(env(Map.of(), 1000, only(Path.of("/run")))));
    }

    @Test
    void varRunIsTheLastCandidate() {
        assertEquals(Optional.of(Path.of("/var/run")),
                RuntimeDirectories.firstUsable(env(Map.of("XDG_RUNTIME_DIR", XDG.toString()), 1000,
                        only(Path.of("/var/run")))));
    }

    @Test
    void anUnknownUidHasNoRunUserCandidate() {
        assertEquals(List.of(Path.of("/var/run")), RuntimeDirectories.candidates(env(Map.of(), -1, all())));
    }

    @Test
    void nothingUsableMeansTheTmpdirFallback() {
        assertEquals(Optional.empty(), RuntimeDirectories.firstUsable(
                env(Map.of("XDG_RUNTIME_DIR", XDG.toString()), 0, p -> false)));
    }

    @Test
    void thePrivateFolderIsNamedAfterTheUid() {
        assertEquals(TMP.resolve("pidlock-1000"), RuntimeDirectories.privateFolder(TMP, 1000));
        assertEquals(TMP.resolve("pidlock-0"), RuntimeDirectories.privateFolder(TMP, 0));
    }

    @Test
    void thePrivateFolderOfAnUnknownUidIsNamedAfterTheUser() {
        assertEquals(TMP.resolve("pidlock-" + System.getProperty("user.name")),
                RuntimeDirectories.privateFolder(TMP, -1));
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    }

    private static Set<PosixFilePermission> perms(Path p) throws IOException {
        return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void ensurePrivateFolderCreatesItWithMode0700() throws IOException {
        assumeTrue(posix());
        Path folder = temp.resolve("pidlock-test");
        assertEquals(folder, RuntimeDirectories.ensurePrivateFolder(folder, RuntimeDirectories.currentUid()));
        assertTrue(Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS));
        assertEquals(PosixFilePermissions.fromString("rwx------"), perms(folder));
    }

    @Test
    void ensurePrivateFolderTightensAnExistingOpenFolder() throws IOException {
        assumeTrue(posix());
        Path folder = Files.createDirectory(temp.resolve("pidlock-open"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        RuntimeDirectories.ensurePrivateFolder(folder, RuntimeDirectories.currentUid());
        assertEquals(PosixFilePermissions.fromString("rwx------"), perms(folder));
    }

    @Test
    void ensurePrivateFolderKeepsAnExistingPrivateFolder() throws IOException {
        assumeTrue(posix());
        Path folder = Files.createDirectory(temp.resolve("pidlock-private"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Path inside = Files.createFile(folder.resolve("app.pid"));
        RuntimeDirectories.ensurePrivateFolder(folder, RuntimeDirectories.currentUid());
        assertEquals(PosixFilePermissions.fromString("rwx------"), perms(folder));
        assertTrue(Files.exists(inside));
    }

    @Test
    void ensurePrivateFolderRefusesASymlinkInItsPlace() throws IOException {
        assumeTrue(posix());
        Path target = Files.createDirectory(temp.resolve("elsewhere"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createSymbolicLink(temp.resolve("pidlock-link"), target);
        IOException e = assertThrows(IOException.class,
                () -> RuntimeDirectories.ensurePrivateFolder(link, RuntimeDirectories.currentUid()));
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
        assertTrue(Files.isSymbolicLink(link), "the link is left alone");
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), perms(target), "the target is left alone");
    }

    @Test
    void ensurePrivateFolderRefusesADanglingSymlinkInItsPlace() throws IOException {
        assumeTrue(posix());
        Path link = Files.createSymbolicLink(temp.resolve("pidlock-dangling"), temp.resolve("nowhere"));
        assertThrows(IOException.class,
                () -> RuntimeDirectories.ensurePrivateFolder(link, RuntimeDirectories.currentUid()));
        assertFalse(Files.exists(temp.resolve("nowhere")), "nothing is created through the link");
    }

    @Test
    void ensurePrivateFolderRefusesARegularFileInItsPlace() throws IOException {
        assumeTrue(posix());
        Path file = Files.createFile(temp.resolve("pidlock-file"));
        assertThrows(IOException.class,
                () -> RuntimeDirectories.ensurePrivateFolder(file, RuntimeDirectories.currentUid()));
    }

    @Test
    void ensurePrivateFolderRefusesAFolderOfAnotherUser() throws IOException {
        assumeTrue(posix());
        long us = RuntimeDirectories.currentUid();
        assumeTrue(us >= 0);
        Path folder = Files.createDirectory(temp.resolve("pidlock-theirs"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException e = assertThrows(IOException.class, () -> RuntimeDirectories.ensurePrivateFolder(folder, us + 1));
        assertTrue(e.getMessage().contains("uid"), e.getMessage());
        assertEquals(PosixFilePermissions.fromString("rwxr-xr-x"), perms(folder), "not tightened");
    }

    @Test
    void currentUidIsTheOwnerOfWhatWeCreate() throws IOException {
        assumeTrue(posix());
        Path file = Files.createFile(temp.resolve("mine"));
        assertEquals(((Number) Files.getAttribute(file, "unix:uid")).longValue(), RuntimeDirectories.currentUid());
    }

    @Test
    void usableMeansAWritableDirectoryThatIsNotWorldWritableWithoutTheStickyBit() throws IOException {
        assumeTrue(posix());
        Path privateDir = Files.createDirectory(temp.resolve("private"));
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        assertTrue(RuntimeDirectories.isUsable(privateDir));

        Path open = Files.createDirectory(temp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertFalse(RuntimeDirectories.isUsable(open), "world-writable without sticky bit");

        Path sticky = Files.createDirectory(temp.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertTrue(RuntimeDirectories.isUsable(sticky), "world-writable with sticky bit, like /tmp");

        assertTrue(RuntimeDirectories.isUsable(Files.createSymbolicLink(temp.resolve("link"), privateDir)),
                "a symlink to a usable directory is fine");
        assertFalse(RuntimeDirectories.isUsable(Files.createFile(temp.resolve("file"))), "not a directory");
        assertFalse(RuntimeDirectories.isUsable(temp.resolve("absent")), "absent");
    }
}
