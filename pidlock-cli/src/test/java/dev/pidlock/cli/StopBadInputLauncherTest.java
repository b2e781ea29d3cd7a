package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stop} and {@code status} in hostile places, from the built launcher: a read-only file system, a
 * {@code /proc} that hides other users' processes, and other stops running at the same moment.
 */
class StopBadInputLauncherTest {

    @TempDir
    Path dir;

    Launcher pidlock;
    final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        pidlock.close();
    }

    private Process ours(Process p) {
        started.add(p);
        return p;
    }

    private static boolean root() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    }

    /** Waits until {@code pidlock status} says the pidfile runs (its lock is held). */
    private void awaitRunning(Path pidfile) {
        Launcher.await(pidfile + " locked", () -> pidlock.run("status", "--pidfile", pidfile.toString()).exit() == 0);
    }

    /**
     * The stop succeeds on a read-only file system, where the pidfile cannot be removed: exit 0, and one line on
     * stderr saying that the pidfile stays and why (path, operation, errno). A stale pidfile there stays too,
     * and stop does not claim to have removed it (root only: bind mounts).
     */
    @Test
    void stopOnAReadOnlyFileSystemSucceedsAndSaysThePidfileStays() throws Exception {
        assumeTrue(root(), "a read-only bind mount needs root");
        Path writable = Files.createDirectory(dir.resolve("D"));
        Path readOnly = Files.createDirectory(dir.resolve("R"));
        Path pidfile = writable.resolve("app.pid");
        Process holder = ours(new ProcessBuilder("flock", pidfile.toString(), "sleep", "60").start());
        awaitRunning(pidfile);
        String mount = "mount --bind '" + writable + "' '" + readOnly + "' && mount -o remount,bind,ro '" + readOnly
                + "' && ";
        Launcher.Result stop = pidlock.shell(Map.of(), "unshare -m sh -c \"" + mount
                + "exec \\\"\\$PIDLOCK\\\" stop --pidfile '" + readOnly.resolve("app.pid") + "'\"").exits(0);
        assertTrue(stop.stdout().contains(" OK"), stop::toString);
        stop.oneErrorLine(readOnly.resolve("app.pid").toString(), "stays", "EROFS", "open");
        Launcher.await("the holder ends", () -> !holder.isAlive());
        assertTrue(Files.exists(pidfile), stop::toString);

        Files.writeString(pidfile, "999999\n"); // unlocked, naming no process: stale
        Launcher.Result stale = pidlock.shell(Map.of(), "unshare -m sh -c \"" + mount
                + "exec \\\"\\$PIDLOCK\\\" stop --pidfile '" + readOnly.resolve("app.pid") + "'\"").exits(0);
        assertFalse(stale.stdout().contains("removed"), stale::toString);
        stale.oneErrorLine(readOnly.resolve("app.pid").toString(), "stays", "EROFS");
        assertTrue(Files.exists(pidfile), stale::toString);
    }

    /**
     * An unprivileged user behind {@code hidepid=2} cannot see another user's process: status of an unlocked
     * pidfile naming it says so and exits 4 (unknown), not 1 (dead), and stop does not remove the pidfile as
     * stale (root only: a mount namespace with its own /proc, and setpriv).
     */
    @Test
    void aProcessHiddenByHidepidIsNotCalledDead() throws Exception {
        assumeTrue(root(), "mounting /proc with hidepid=2 and switching user need root");
        Process other = ours(new ProcessBuilder("sleep", "60").start());
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path pidfile = Files.writeString(shared.resolve("app.pid"), other.pid() + "\n");
        Files.setPosixFilePermissions(pidfile, PosixFilePermissions.fromString("rw-r--r--"));
        for (Path p : List.of(shared, pidfile)) {
            Files.setAttribute(p, "unix:uid", 65534);
            Files.setAttribute(p, "unix:gid", 65534);
        }
        String asNobody = "unshare -m sh -c \"mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=65534"
                + " --regid=65534 --clear-groups \\\"\\$PIDLOCK\\\" %s --pidfile '" + pidfile + "'\"";
        Launcher.Result probe = pidlock.shell(Map.of(), "unshare -m sh -c 'mount -t proc -o hidepid=2 proc /proc"
                + " && setpriv --reuid=65534 --regid=65534 --clear-groups test ! -e /proc/" + other.pid() + "'");
        assumeTrue(probe.exit() == 0, () -> "no hidepid=2 here: " + probe);

        Launcher.Result status = pidlock.shell(Map.of(), String.format(asNobody, "status")).exits(4);
        assertTrue(status.stdout().contains("status: unknown") && status.stdout().contains("cannot see"),
                status::toString);
        assertFalse(status.stdout().contains("dead") || status.stdout().contains("no process has"), status::toString);
        Launcher.Result json = pidlock.shell(Map.of(), String.format(asNobody, "status --json")).exits(4);
        assertTrue(json.stdout().contains("\"status\":\"unknown\""), json::toString);

        Launcher.Result stop = pidlock.shell(Map.of(), String.format(asNobody, "stop")).exits(4);
        stop.oneErrorLine(pidfile.toString(), "cannot see", Long.toString(other.pid()));
        assertTrue(Files.exists(pidfile), () -> "not removed as stale: " + stop);
        assertTrue(other.isAlive(), stop::toString);
    }

    /**
     * Several stops at once against one held pidfile: each takes the lock briefly to remove the file, and none
     * takes another for a holder: all exit 0, none is killed by a signal, none names another stop.
     */
    @Test
    void concurrentStopsNeitherSignalNorBlameEachOther() throws Exception {
        Path pidfile = dir.resolve("app.pid");
        for (int round = 0; round < 6; round++) {
            Process holder = ours(new ProcessBuilder("flock", pidfile.toString(), "sleep", "60").start());
            awaitRunning(pidfile);
            List<Launcher.Launched> stops = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                stops.add(pidlock.start("stop", "--pidfile", pidfile.toString()));
            }
            List<Launcher.Result> results = new ArrayList<>();
            for (Launcher.Launched s : stops) {
                results.add(s.await());
            }
            String all = String.join("\n", results.stream().map(Launcher.Result::toString).toList());
            for (Launcher.Result r : results) {
                assertEquals(0, r.exit(), () -> "round: every stop exits 0 (143: killed by another):\n" + all);
                r.assertNoStackTrace();
                assertEquals("", r.stderr(), () -> "nothing on stderr:\n" + all);
                for (Launcher.Launched s : stops) {
                    assertFalse(r.stdout().matches("(?s).*\\b" + s.pid() + "\\b.*"),
                            () -> "a stop names another stop (" + s.pid() + "):\n" + all);
                }
            }
            Launcher.await("the holder ends", () -> !holder.isAlive());
            assertFalse(Files.exists(pidfile), () -> "the pidfile is removed:\n" + all);
        }
    }
}
