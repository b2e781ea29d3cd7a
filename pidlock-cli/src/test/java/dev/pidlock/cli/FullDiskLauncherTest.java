package dev.pidlock.cli;

import static dev.pidlock.cli.Launcher.awaitPid;
import static dev.pidlock.cli.Launcher.awaitPidfileNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full disks and I/O errors never strand the command ({@code pidlock run}, from the built launcher): the pidfile
 * on a real 4 KiB tmpfs (mounted as root, skipped otherwise) that a filler file has filled, and a write the
 * kernel refuses with EFBIG (a file size limit under which the wrapper's pid fits but the command's does not).
 */
class FullDiskLauncherTest {

    @TempDir
    Path dir;

    Launcher pidlock;
    Path fs;
    boolean mounted;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        pidlock.close();
        if (mounted) {
            assertEquals(0, new ProcessBuilder("umount", fs.toString()).inheritIO().start().waitFor(),
                    "umount " + fs);
        }
    }

    /** Mounts a 4 KiB tmpfs at {@code dir/fs}, writes {@code old} to {@code app.pid} when given, then fills it. */
    private Path fullTmpfs(String old) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        fs = Files.createDirectory(dir.resolve("fs"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", fs.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here: " + why);
        mounted = true;
        Path pidfile = fs.resolve("app.pid");
        if (old != null) {
            Files.writeString(pidfile, old);
        }
        try (OutputStream filler = Files.newOutputStream(fs.resolve("filler"))) {
            byte[] block = new byte[512];
            while (true) {
                filler.write(block);
                filler.flush();
            }
        } catch (FileSystemException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full::toString);
        } catch (IOException full) {
            assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full::toString);
        }
        return pidfile;
    }

    /**
     * On a full file system an empty pidfile cannot take the wrapper's pid: the run fails in one line naming the
     * path and ENOSPC, starts nothing, and leaves no empty pidfile behind (it is removed under the lock).
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void aFullDiskStartsNothingAndLeavesNoEmptyPidfile() throws Exception {
        Path pidfile = fullTmpfs(null);
        Path marker = dir.resolve("ran");
        Launcher.Result r = pidlock.run("run", "--pidfile", pidfile.toString(), "--", "sh", "-c",
                "echo ran > \"$1\"", "sh", marker.toString()).exits(ExitCodes.IO_ERROR);
        r.oneErrorLine(pidfile.toString(), "ENOSPC");
        assertFalse(Files.exists(marker), "the command never ran");
        assertFalse(Files.exists(pidfile), "no empty pidfile is left: " + r);
    }

    /**
     * A pidfile whose old content is at least as long as the new needs no new block: on a full file system the
     * stale file is taken over, names the command while it runs, and the run exits with the command's status.
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void aFullDiskStillNamesTheCommandOverLongerOldContent() throws Exception {
        Path pidfile = fullTmpfs("4194303999\n");
        Path marker = dir.resolve("pid");
        Launcher.Launched run = pidlock.start("run", "--pidfile", pidfile.toString(), "--", "sh", "-c",
                RunLauncherTest.HOLD, "sh", marker.toString());
        long command = awaitPid(marker);
        pidlock.killLater(command);
        awaitPidfileNames(pidfile, command);
        Procs.signal(command, "TERM");
        Launcher.Result r = run.await().exits(128 + 15);
        assertEquals(List.of(), r.stderrLines());
        assertFalse(Files.exists(pidfile), "removed afterwards");
    }

    /**
     * When the command's pid cannot be written (EFBIG here: under a 5-byte file size limit, in a pid namespace
     * where the wrapper is pid 9998 and the command gets 5 digits), the wrapper warns once, keeps supervising the
     * command, and exits with its status.
     *
     * @throws Exception when the fixture cannot be made
     */
    @Test
    void aFailedRecordKeepsSupervisingTheCommand() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a pid namespace needs root");
        Path pidfile = dir.resolve("app.pid");
        Path script = Files.writeString(dir.resolve("limited.sh"), String.join("\n",
                "mkfifo \"$2/err\"",
                "cat \"$2/err\" >&2 &", // the wrapper's stderr goes through a pipe, which the limit does not cover
                "echo 9997 > /proc/sys/kernel/ns_last_pid",
                "prlimit --fsize=5 \"$1\" run --pidfile \"$3\" -- sh -c 'sleep 1; exit 7' 2>\"$2/err\"",
                "echo \"exit $?\"",
                "wait",
                ""));
        Process p = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", script.toString(),
                System.getProperty(Launcher.PROPERTY), dir.toString(), pidfile.toString()).start();
        String out;
        String err;
        try {
            assertTrue(p.waitFor(Launcher.GUARD.toSeconds(), TimeUnit.SECONDS), "the run ended");
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        String seen = "stdout:\n" + out + "stderr:\n" + err;
        assumeTrue(!err.contains("unshare: "), "no pid namespace here: " + err);
        assertEquals("exit 7\n", out, seen);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), "one warning: " + seen);
        assertTrue(lines.get(0).matches("pidlock: warning: could not name pid 1\\d{4} in the pidfile \\(pwrite "
                + java.util.regex.Pattern.quote(pidfile.toString()) + ": EFBIG .*"), seen);
        assertFalse(Files.exists(pidfile), "removed afterwards: " + seen);
    }
}
