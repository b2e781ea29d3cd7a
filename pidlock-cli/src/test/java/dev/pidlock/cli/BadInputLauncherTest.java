package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input, from the built launcher: a distinct documented exit code, one line on stderr naming what is
 * wrong, no stack trace (unless {@code --debug}), and nothing touched.
 */
class BadInputLauncherTest {

    @TempDir
    Path dir;

    Launcher pidlock;
    Path pidfile;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
        pidfile = dir.resolve("app.pid");
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "start", "restart"})
    void aMissingCommandIsAUsageError(String subcommand) {
        pidlock.run(subcommand, "--pidfile", pidfile.toString(), "--").exits(64).oneErrorLine("missing command");
        pidlock.run(subcommand, "--pidfile", pidfile.toString()).exits(64).oneErrorLine("missing command");
        assertFalse(Files.exists(pidfile));
    }

    /** An argument that starts with @ reaches the command as it is, never as the words of a file it names. */
    @Test
    void anArgumentStartingWithAtIsNotAFileToExpand() throws IOException {
        Path data = Files.writeString(dir.resolve("data.json"), "{\"k\": 1}\n--name evil\n");
        Path out = dir.resolve("out");
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "sh", "-c", "printf '%s\\n' \"$@\" > \"$0\"",
                out.toString(), "-d", "@" + data, "@@x").exits(0);
        assertEquals("-d\n@" + data + "\n@@x\n", Files.readString(out));
        pidlock.run("status", "--name", "@" + data, "--dir", dir.toString()).exits(3);
    }

    /** An empty --name (an unset variable in a script) is refused, not the default name shared with others. */
    @Test
    void anEmptyNameIsAUsageError() {
        pidlock.run("status", "--name", "", "--dir", dir.toString()).exits(64).oneErrorLine("--name is empty");
        pidlock.run("run", "--name", " ", "--dir", dir.toString(), "--", "true").exits(64)
                .oneErrorLine("--name is empty");
    }

    /** chown(2) reads -1 as "unchanged": a negative --owner would change nothing, quietly. */
    @Test
    void aNegativeOwnerIsAUsageError() {
        pidlock.run("run", "--owner", "-1", "--pidfile", pidfile.toString(), "--", "true").exits(64)
                .oneErrorLine("--owner");
        pidlock.run("run", "--owner", "root:-1", "--pidfile", pidfile.toString(), "--", "true").exits(64)
                .oneErrorLine("--owner");
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void aMalformedDurationIsAUsageError() {
        for (List<String> args : List.of(
                List.of("run", "--wait", "abc", "--pidfile", pidfile.toString(), "--", "true"),
                List.of("start", "--startup-timeout", "1x", "--pidfile", pidfile.toString(), "--", "true"),
                List.of("stop", "--timeout", "soon", "--pidfile", pidfile.toString()))) {
            Launcher.Result r = pidlock.run(args.toArray(String[]::new)).exits(64);
            String first = r.stderrLines().isEmpty() ? "" : r.stderrLines().get(0);
            String value = args.get(2);
            assertTrue(first.startsWith("pidlock: ") && first.contains("'" + value + "'"),
                    () -> "the first line names the value: " + r);
            assertEquals(1, r.stderrLines().size(), () -> "one line: " + r);
        }
        assertFalse(Files.exists(pidfile));
    }

    @Test
    void otherUsageErrors() {
        pidlock.run("run", "--conflict-exit-code", "300", "--pidfile", pidfile.toString(), "--", "true").exits(64)
                .oneErrorLine("300");
        pidlock.run("run", "--pidfile", pidfile.toString(), "--dir", dir.toString(), "--", "true").exits(64)
                .oneErrorLine("--dir");
        pidlock.run("stop", "--signal", "NOSUCH", "--pidfile", pidfile.toString()).exits(64).oneErrorLine("NOSUCH");
        Launcher.Result none = pidlock.run().exits(64);
        assertTrue(none.stderr().startsWith("pidlock: "), none::toString);
        assertFalse(Files.exists(pidfile));
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "start"})
    void anUnknownBackendIsUnavailable(String subcommand) {
        pidlock.run(subcommand, "--backend", "nope", "--pidfile", pidfile.toString(), "--", "true").exits(69)
                .oneErrorLine("nope");
        assertFalse(Files.exists(pidfile));
    }

    enum Kind { DIRECTORY, SYMLINK, DANGLING_SYMLINK, FIFO }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPidfilePathThatIsNotARegularFileIsRefusedUntouched(Kind kind) throws Exception {
        Path target = dir.resolve("target");
        switch (kind) {
            case DIRECTORY -> Files.writeString(Files.createDirectory(pidfile).resolve("inside"), "x");
            case SYMLINK -> Files.createSymbolicLink(pidfile, Files.writeString(target, "hello\n"));
            case DANGLING_SYMLINK -> Files.createSymbolicLink(pidfile, target);
            case FIFO -> assertEquals(0, new ProcessBuilder("mkfifo", pidfile.toString()).inheritIO().start()
                    .waitFor());
        }
        FileTime time = Files.getLastModifiedTime(pidfile, LinkOption.NOFOLLOW_LINKS);
        List<String> listing = listing();

        for (String sub : List.of("run", "start")) {
            pidlock.run(sub, "--pidfile", pidfile.toString(), "--", "true").exits(73).oneErrorLine(pidfile.toString());
        }
        pidlock.run("status", "--pidfile", pidfile.toString()).exits(4);
        pidlock.run("stop", "--pidfile", pidfile.toString()).exits(4);

        assertEquals(listing, listing(), "nothing created or removed");
        assertEquals(time, Files.getLastModifiedTime(pidfile, LinkOption.NOFOLLOW_LINKS), "the path is untouched");
        switch (kind) {
            case DIRECTORY -> assertEquals("x", Files.readString(pidfile.resolve("inside")));
            case SYMLINK -> {
                assertEquals(target, Files.readSymbolicLink(pidfile));
                assertEquals("hello\n", Files.readString(target));
            }
            case DANGLING_SYMLINK -> assertFalse(Files.exists(target), "the link's target is not created");
            case FIFO -> assertTrue(Files.readAttributes(pidfile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .isOther());
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.getFileName().toString().startsWith("launcher-"))
                    .map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aMissingDirectoryIsRefusedAndNotCreated() {
        Path missing = dir.resolve("missing");
        Path inMissing = missing.resolve("app.pid");
        pidlock.run("run", "--pidfile", inMissing.toString(), "--", "true").exits(73)
                .oneErrorLine(inMissing.toString());
        pidlock.run("run", "--name", "app", "--dir", missing.toString(), "--", "true").exits(73)
                .oneErrorLine(missing.toString());
        pidlock.run("start", "--name", "app", "--dir", missing.toString(), "--", "true").exits(73)
                .oneErrorLine(missing.toString());
        assertFalse(Files.exists(missing));
    }

    @Test
    void aCommandThatIsNotFoundOrNotExecutableGets127Or126AndTheLockIsGivenBack() throws IOException {
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "no-such-command-pidlock").exits(127)
                .oneErrorLine("no-such-command-pidlock");
        assertFalse(Files.exists(pidfile));
        Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", script.toString()).exits(126)
                .oneErrorLine(script.toString());
        assertFalse(Files.exists(pidfile));
        pidlock.run("run", "--pidfile", pidfile.toString(), "--", "true").exits(0);
    }

    @Test
    void debugPrintsTheStackTrace() throws IOException {
        Files.createDirectory(pidfile);
        Launcher.Result r = pidlock.run("run", "--debug", "--pidfile", pidfile.toString(), "--", "true").exits(73);
        assertTrue(r.stderr().lines().anyMatch(l -> l.matches("\\s+at \\S+.*")), () -> "a stack trace: " + r);
        assertTrue(r.stderr().contains("pidlock: refusing pidfile " + pidfile), r::toString);
    }

    @Test
    void aPidfilePathWithoutAFileNameIsAUsageError() {
        for (String sub : List.of("run", "status", "stop")) {
            List<String> args = new java.util.ArrayList<>(List.of(sub, "--pidfile", "/"));
            if (sub.equals("run")) {
                args.addAll(List.of("--", "true"));
            }
            pidlock.run(args.toArray(String[]::new)).exits(64).oneErrorLine("--pidfile /", "names no file");
        }
    }

    /** A wait too long for a nanosecond deadline is as good as forever: a free lock is taken at once. */
    @Test
    void aWaitOfCenturiesIsAcceptedAndAFreeLockIsTaken() {
        pidlock.run("run", "--wait", "9999999999", "--pidfile", pidfile.toString(), "--", "true").exits(0);
        pidlock.run("run", "--wait", "9999999999h", "--pidfile", pidfile.toString(), "--", "true").exits(0);
    }

    /** A name with a newline or other control characters prints one line, the characters escaped. */
    @Test
    void aNameWithControlCharactersIsPrintedOnOneLineEscaped() {
        Launcher.Result r = pidlock.run("status", "--name", "a\nb\tc\u001b[2J", "--dir", dir.toString()).exits(3);
        assertEquals(List.of("a\\nb\\tc\\x1B[2J -- status: not running"), r.stdoutLines(), r::toString);
        Launcher.Result json = pidlock.run("status", "--json", "--name", "a\nb", "--dir", dir.toString()).exits(3);
        assertEquals(1, json.stdoutLines().size(), json::toString);
        assertTrue(json.stdout().contains("\"name\":\"a\\nb\"") && json.stdout().contains("a%0Ab.pid"),
                json::toString);
        pidlock.run("start", "--name", "x\ny", "--dir", dir.resolve("missing").toString(), "--", "true").exits(73)
                .oneErrorLine("x%0Ay.pid");
    }

    /**
     * A directory given with --dir must be owned by the user or root (root may name any user's) and not writable
     * by others without the sticky bit; the refusal names its owner and mode.
     */
    @Test
    void anExplicitDirectoryOfAnotherUserOrOpenToOthersIsRefusedNamingOwnerAndMode() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "changing a directory's owner needs root");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(theirs, "unix:uid", 4321);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // another user (nobody) may not put its pidfile in uid 4321's directory
        Launcher.Result nobody = Launcher.Result.of(new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", pidlock.executable().toString(), "run", "--name", "x", "--dir", theirs.toString(),
                "--", "true"));
        nobody.exits(73).oneErrorLine(theirs.toString(), "uid 4321", "0755");
        // root may (the directory of a service that runs as that user); looking is anybody's
        pidlock.run("status", "--name", "x", "--dir", theirs.toString()).exits(3);
        pidlock.run("run", "--name", "y", "--dir", theirs.toString(), "--", "true").exits(0);
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        pidlock.run("run", "--name", "x", "--dir", open.toString(), "--", "true").exits(73)
                .oneErrorLine(open.toString(), "0777", "uid 0");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        pidlock.run("run", "--name", "x", "--dir", sticky.toString(), "--", "true").exits(0);
        assertFalse(Files.exists(theirs.resolve("x.pid")) || Files.exists(open.resolve("x.pid")));
    }
}
