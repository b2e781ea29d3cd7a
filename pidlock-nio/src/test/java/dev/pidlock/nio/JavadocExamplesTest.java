package dev.pidlock.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidFiles;
import dev.pidlock.PidLock;
import dev.pidlock.testkit.ChildProcess;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code examples of pidlock-api's javadoc, compiled and run here against backend {@code nio}: pidlock-api
 * has no backend of its own. Each example is written exactly as in the javadoc; pidlock-build-checks'
 * {@code JavadocCodeBlocksTest} fails when the javadoc shows code that is not in a {@code JavadocExamples*}
 * source. The examples use the default directory or a path the reader picks; here both are the test's
 * temporary folder.
 */
class JavadocExamplesTest {

    /** The child JVM's stdin, where the test says when to go on. */
    private static final BufferedReader STDIN = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    /**
     * {@link PidLock}'s example, in a child JVM whose default directory is the temporary folder (through
     * {@code $XDG_RUNTIME_DIR}), or for root (whose default directory is always {@code /run}) a private
     * {@code /run} in a mount namespace of its own: while the job runs the pidfile names the child; afterwards it
     * is gone.
     */
    @Test
    void pidLockRunsTheJobUnderTheLockAndRemovesThePidfileAfterwards() throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> command = new ArrayList<>(root
                ? List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                        "mount -t tmpfs pidlock-test /run && exec \"$0\" \"$@\"")
                : List.of("env", "XDG_RUNTIME_DIR=" + dir));
        command.addAll(withTestClasses(ChildProcess.javaCommand(JavadocExamplesTest.class.getName(), "PidLock")));
        try (ChildProcess child = ChildProcess.start(null, command)) {
            // the child's /run, seen through its root directory
            Path pidFile = root ? Path.of("/proc/" + child.pid() + "/root/run/backup.pid") : dir.resolve("backup.pid");
            child.expect("BACKUP running");
            // read from this process: the child holds a POSIX lock that its own second descriptor would drop
            assertEquals(child.pid() + "\n", Files.readString(pidFile));
            child.send("done");
            child.expect("RELEASED");
            // released by the try-with-resources, not by the shutdown hook: the child is still there
            assertFalse(Files.exists(pidFile));
            child.send("exit");
            assertEquals(0, child.waitFor(), child.stderr());
        }
    }

    /** {@link PidFiles}' example, while a child JVM holds the pidfile. */
    @Test
    void pidFilesTellsWhoIsRunning() throws IOException {
        Path pidFile = dir.resolve("app.pid");
        try (ChildProcess holder = ChildProcess.lockChild("acquire", pidFile.toString(), NioBackend.ID)) {
            holder.expect("ACQUIRED");

            PidFileStatus status = PidFiles.inspect(pidFile);
            if (status.state() == PidFileStatus.State.RUNNING) {
                System.err.println("already running: " + status.detail());
            }

            assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
            assertEquals(OptionalLong.of(holder.pid()), status.pid());
        }
    }

    /**
     * The child JVM's side. {@code PidLock}: runs {@link PidLock}'s example, whose job says it runs and then
     * waits for a line on stdin; says {@code RELEASED} once the example is over, and exits at the next line.
     *
     * @param args the example to run
     * @throws IOException when the example fails
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("PidLock")) {
            try (PidLock lock = PidLock.named("backup").acquire()) {
                runBackup();
            }
            System.out.println("RELEASED");
            System.out.flush();
            STDIN.readLine();
        } else {
            throw new IllegalArgumentException("no example " + List.of(args));
        }
    }

    /** The job of {@link PidLock}'s example: says it runs, then waits until the test has looked. */
    private static void runBackup() throws IOException {
        System.out.println("BACKUP running");
        System.out.flush();
        STDIN.readLine();
    }

    /**
     * The test classes are patched into the module, so on neither path: the child gets their folder, found from
     * where this class file is, on its class path.
     */
    private static List<String> withTestClasses(List<String> javaCommand) {
        Path classFile;
        try {
            classFile = Path.of(JavadocExamplesTest.class.getResource("JavadocExamplesTest.class").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String testClasses = classFile.getParent().getParent().getParent().getParent().toString();
        List<String> out = new ArrayList<>(javaCommand);
        int cp = out.indexOf("-cp");
        out.set(cp + 1, testClasses + File.pathSeparator + out.get(cp + 1));
        return out;
    }
}
