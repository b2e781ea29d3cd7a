package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every case of the kit stands on: a fresh directory and pidfile per test, child processes and locks
 * that are cleaned up after it, the backend's declared capabilities, and the skips that say why a case does
 * not apply. The topic classes ({@link ExclusionCases}, {@link StaleCases}, {@link InspectionCases},
 * {@link PidFileCases}, {@link SameJvmCases}, {@link WaitingCases}) extend it; a backend module normally runs
 * them all through {@link LockBackendContract}, and may extend this class for cases of its own.
 *
 * <p>Timeouts here only keep a broken backend from hanging the build; no case asserts on elapsed time.
 *
 * @since 0.1
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ContractCase {

    /**
     * A fresh directory per test for pidfiles.
     *
     * @since 0.1
     */
    @TempDir
    protected Path dir;

    /**
     * The pidfile of the test, {@code contract.pid} in {@link #dir}; nothing exists there when a test starts.
     *
     * @since 0.1
     */
    protected Path pidfile;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String testName = "";
    private Set<Capability> capabilities;

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected ContractCase() {
    }

    /**
     * @return the id of the backend under test, as {@link PidLock.Builder#backend(String)} takes it
     * @since 0.1
     */
    protected abstract String backendId();

    /**
     * Creates the pidfile path.
     *
     * @param info which test runs, for the lines that say why a case is skipped
     */
    @BeforeEach
    void preparePidfile(TestInfo info) {
        pidfile = dir.resolve("contract.pid");
        testName = info.getTestClass().map(Class::getSimpleName).orElse("") + "#"
                + info.getTestMethod().map(java.lang.reflect.Method::getName).orElse(info.getDisplayName());
    }

    /**
     * Kills children and releases locks a test left behind, newest first.
     *
     * @throws Exception when cleaning up fails
     */
    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
        cleanup.clear();
    }

    /**
     * Closes {@code resource} after the test (children, locks, executors), in reverse order of registration.
     *
     * @param resource what to close
     * @param <T>      its type
     * @return {@code resource}
     * @since 0.1
     */
    protected <T extends AutoCloseable> T closeAfterwards(T resource) {
        cleanup.add(resource);
        return resource;
    }

    /**
     * @return a builder for the test's pidfile with the backend under test
     * @since 0.1
     */
    protected PidLock.Builder lock() {
        return PidLock.at(pidfile).backend(backendId());
    }

    /**
     * Starts a child JVM running {@link LockChild} that acquires the test's pidfile with the backend under
     * test and says how it went.
     *
     * @param options extra {@link LockChild} options, such as {@code wait=60000}
     * @return the child, killed after the test
     * @throws IOException when it cannot start
     * @since 0.1
     */
    protected ChildProcess child(String... options) throws IOException {
        return childAt(pidfile, options);
    }

    /**
     * Starts a child JVM running {@link LockChild} that acquires {@code file} with the backend under test.
     * Children of different files can start side by side, which saves time on a small machine.
     *
     * @param file    the pidfile
     * @param options extra {@link LockChild} options
     * @return the child, killed after the test
     * @throws IOException when it cannot start
     * @since 0.1
     */
    protected ChildProcess childAt(Path file, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("acquire", file.toString(), backendId()));
        args.addAll(List.of(options));
        return closeAfterwards(ChildProcess.lockChild(args.toArray(String[]::new)));
    }

    /**
     * Starts a child JVM that holds the test's pidfile.
     *
     * @return the child, which holds the lock
     * @throws IOException when it cannot start
     * @since 0.1
     */
    protected ChildProcess holder() throws IOException {
        ChildProcess c = child();
        assertEquals("ACQUIRED " + c.pid(), c.nextLine(), c::stderr);
        return c;
    }

    /**
     * A live process that is not a JVM and holds no lock ({@code sleep}), killed after the test.
     *
     * @return the process
     * @throws IOException when it cannot start
     * @since 0.1
     */
    protected Process bystander() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        cleanup.add(p::destroyForcibly);
        return p;
    }

    /**
     * @return the pid of a process that has just exited ({@code true})
     * @throws IOException when it cannot start
     * @since 0.1
     */
    protected static long deadPid() throws IOException {
        Process p = new ProcessBuilder("true").start();
        try {
            assertEquals(0, p.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return p.pid();
    }

    /**
     * Reads the pidfile from another process ({@code cat}). Opening and closing it in this JVM would drop a
     * POSIX lock this JVM holds on it: the very pitfall pidlock guards against.
     *
     * @return the pidfile's content
     * @throws IOException when {@code cat} cannot run or fails
     * @since 0.1
     */
    protected String content() throws IOException {
        return run("cat", pidfile.toString());
    }

    /**
     * Runs a command to its end and returns its output.
     *
     * @param command the command and its arguments
     * @return stdout and stderr together
     * @throws IOException when it cannot run, or exits with another status than 0
     * @since 0.1
     */
    protected static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * @return the capabilities the backend under test declares, as {@link PidLock#backends()} reports them
     * @since 0.1
     */
    protected Set<Capability> capabilities() {
        if (capabilities == null) {
            capabilities = PidLock.backends().stream().filter(b -> b.id().equals(backendId())).findFirst()
                    .map(BackendInfo::capabilities)
                    .orElseThrow(() -> new AssertionError("backend " + backendId() + " not found among "
                            + PidLock.backends()));
        }
        return capabilities;
    }

    /**
     * Skips the rest of the test unless the backend declares {@code capability}. The skip reads
     * {@code <backend> lacks <CAPABILITY>: <why>} in the test report and on stdout.
     *
     * @param capability what the case needs
     * @param why        why the case does not apply without it
     * @since 0.1
     */
    protected void requires(Capability capability, String why) {
        skipUnless(capabilities().contains(capability), backendId() + " lacks " + capability + ": " + why);
    }

    /**
     * Skips the rest of the test when the backend declares {@code capability}: for cases about what a
     * backend without it must do instead. The skip reads {@code <backend> declares <CAPABILITY>: <why>}.
     *
     * @param capability what the case is about the absence of
     * @param why        why the case does not apply with it
     * @since 0.1
     */
    protected void requiresLack(Capability capability, String why) {
        skipUnless(!capabilities().contains(capability), backendId() + " declares " + capability + ": " + why);
    }

    /**
     * Skips the rest of the test unless {@code condition} holds, printing the reason.
     *
     * @param condition whether the case applies here
     * @param reason    why it does not
     * @since 0.1
     */
    protected void skipUnless(boolean condition, String reason) {
        if (!condition) {
            System.out.println("CONTRACT SKIPPED " + testName + " [" + backendId() + "]: " + reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }

    /**
     * Skips the rest of the test unless {@code command} is on the {@code PATH}.
     *
     * @param command for example {@code flock} or {@code python3}
     * @param why     what the case uses it for
     * @since 0.1
     */
    protected void requiresCommand(String command, String why) {
        boolean found = false;
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) {
                found = true;
                break;
            }
        }
        skipUnless(found, command + " is not on the PATH: " + why);
    }
}
