package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.testkit.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Spawn#exec} in a child JVM ({@link ExecMain}): the command replaces the JVM (same pid) with only 0, 1,
 * 2 and the lock descriptor open and a clean signal state; a failed exec leaves the JVM as it was.
 */
class ExecTest {
    private static final String ZERO = "0000000000000000";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"exec", "exec-fallback"})
    void theCommandReplacesTheJvmWithOnlyStdioAndTheLockDescriptor(String mode) throws IOException {
        try (ChildProcess jvm = ChildProcess.start(null, ChildProcess.javaCommand(ExecMain.class.getName(), mode,
                dir.toString()))) {
            String[] lockLine = jvm.expect("lock ").split(" ");
            int lock = Integer.parseInt(lockLine[1]);
            assertEquals("true", lockLine[lockLine.length - 1],
                    "the JVM had inheritable strays: " + String.join(" ", lockLine));
            String before = jvm.expect("before ");
            assertNotEquals("before SigBlk " + ZERO + " SigIgn " + ZERO, before, "nothing to clean up");

            long pid = jvm.pid();
            ProcFs.awaitSleeping(pid, "sleep"); // the same pid: exec replaced the JVM, none is left behind
            assertEquals(Set.of(0, 1, 2, lock), ProcFs.fds(pid), "descriptors of the exec'd command");
            assertEquals(dir.resolve("pidfile").toRealPath().toString(), ProcFs.target(pid, lock));
            assertEquals(ZERO, ProcFs.status(Long.toString(pid), "SigBlk"));
            assertEquals(ZERO, ProcFs.status(Long.toString(pid), "SigIgn"));
            String environ = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.UTF_8);
            assertEquals(Set.of("PATH=" + System.getenv("PATH"), "PIDLOCK_EXEC=1"), Set.of(environ.split("\0")));
            jvm.process().destroyForcibly();
            assertEquals(128 + 9, jvm.waitFor());
        }
    }

    @Test
    void aFailedExecIsOneLineAndLeavesTheJvmWorking() {
        try (ChildProcess jvm = ChildProcess.start(null, ChildProcess.javaCommand(ExecMain.class.getName(),
                "missing", dir.toString()))) {
            jvm.expect("lock ");
            String before = jvm.expect("before ").substring("before ".length());
            assertEquals("failed pidlock-no-such-command: command not found (execvp: ENOENT)", jvm.nextLine());
            assertEquals("after " + before, jvm.nextLine(), "signal mask and ignored signals restored");
            assertTrue(jvm.expect("alive ").startsWith("alive "));
            assertEquals(0, jvm.waitFor(), jvm.stderr());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
