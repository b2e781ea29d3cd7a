package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.OwnershipPolicy;
import dev.pidlock.spi.RecordedHolder;
import dev.pidlock.spi.ReleaseAction;
import dev.pidlock.spi.StaleVerdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test for each public API method that had none: the builder's {@code runExclusive} (both), {@code holdUntilExit},
 * {@code forThisProgram}, {@code staleDetector}, {@code respectLiveUnlockedHolder}, {@code ownership} (both) and
 * the {@code dev.pidlock.ownership} system property. They acquire with {@link TestBackend}; the child JVMs of
 * {@code holdUntilExit} and {@code forThisProgram} find it through {@code META-INF/services} on their class path.
 */
class PublicApiCoverageTest {

    private static final String POLICY_PROPERTY = "dev.pidlock.ownership";

    @TempDir
    Path dir;

    private static PidLock.Builder at(Path pidfile) {
        return PidLock.at(pidfile).backend(TestBackend.INSTANCE);
    }

    @Test
    void runExclusiveRunsTheActionHoldingTheLockAndReleasesItAfterwards() {
        Path pidfile = dir.resolve("job.pid");
        AtomicReference<PidFileStatus> during = new AtomicReference<>();
        AtomicBoolean refusedDuring = new AtomicBoolean();
        at(pidfile).runExclusive(() -> {
            during.set(at(pidfile).inspect());
            refusedDuring.set(at(pidfile).tryAcquire().isEmpty());
        });
        assertEquals(PidFileStatus.State.RUNNING, during.get().state(), during.get().toString());
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), during.get().pid());
        assertTrue(refusedDuring.get(), "held while the action ran");
        assertFalse(Files.exists(pidfile), "released afterwards");
    }

    @Test
    void runExclusiveDoesNotRunTheActionWhenTheLockIsHeld() {
        Path pidfile = dir.resolve("job.pid");
        AtomicBoolean ran = new AtomicBoolean();
        try (PidLock held = at(pidfile).acquire()) {
            assertThrows(PidLockConflictException.class, () -> at(pidfile).runExclusive(() -> ran.set(true)));
            assertThrows(PidLockConflictException.class, () -> at(pidfile).runExclusive(() -> {
                ran.set(true);
                return "ran";
            }));
            assertTrue(held.isHeld());
        }
        assertFalse(ran.get(), "neither action ran");
    }

    @Test
    void runExclusiveWithACallableReturnsItsResultAndPassesItsExceptionOnReleasingTheLock() throws Exception {
        Path pidfile = dir.resolve("job.pid");
        String result = at(pidfile).runExclusive(() -> {
            assertTrue(at(pidfile).tryAcquire().isEmpty(), "held while the action runs");
            return "done";
        });
        assertEquals("done", result);
        assertFalse(Files.exists(pidfile), "released afterwards");

        IOException thrown = new IOException("the job failed");
        IOException e = assertThrows(IOException.class, () -> at(pidfile).runExclusive(() -> {
            throw thrown;
        }));
        assertSame(thrown, e);
        assertFalse(Files.exists(pidfile), "released after the failure too");
        try (PidLock again = at(pidfile).acquire()) {
            assertTrue(again.isHeld());
        }
    }

    @Test
    void holdUntilExitKeepsTheLockUntilTheJvmExitsAndReleasesItThen() throws IOException {
        Path pidfile = dir.resolve("daemon.pid");
        try (Child child = child("holdUntilExit", pidfile.toString())) {
            child.expect("HELD");
            PidFileStatus status = at(pidfile).inspect();
            assertEquals(PidFileStatus.State.RUNNING, status.state(), status.toString());
            assertEquals(OptionalLong.of(child.pid()), status.pid());
            assertTrue(at(pidfile).tryAcquire().isEmpty(), "the child still holds it");
            child.send("exit");
            assertEquals(0, child.waitFor(), child.stderr());
        }
        assertFalse(Files.exists(pidfile), "released by the shutdown hook when the JVM exited");
    }

    @Test
    void forThisProgramNamesTheLockAfterTheMainClass() throws IOException {
        try (Child child = child("forThisProgram", dir.toString())) {
            String line = child.expect("HELD ");
            Path expected = dir.resolve(PublicApiCoverageTest.class.getSimpleName() + ".pid");
            assertEquals("HELD " + expected, line);
            assertEquals(child.pid() + "\n", Files.readString(expected));
            child.send("exit");
            assertEquals(0, child.waitFor(), child.stderr());
        }
    }

    @Test
    void staleDetectorDecidesWhetherAnUnlockedPidfilesProcessIsALiveHolder() throws IOException, InterruptedException {
        Path pidfile = dir.resolve("app.pid");
        long dead = exitedPid();
        Files.writeString(pidfile, dead + "\n");
        List<RecordedHolder> asked = new ArrayList<>();
        AlreadyRunningException e = assertThrows(AlreadyRunningException.class,
                () -> at(pidfile).staleDetector(holder -> {
                    asked.add(holder);
                    return StaleVerdict.alive("this detector says so");
                }).acquire());
        assertTrue(e.getMessage().contains("this detector says so"), e.getMessage());
        assertEquals(1, asked.size(), asked.toString());
        assertEquals(dead, asked.get(0).pid());
        assertEquals(pidfile, asked.get(0).pidfile());

        try (PidLock lock = at(pidfile).staleDetector(holder -> StaleVerdict.dead("gone")).acquire()) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pidfile), "taken over");
            assertTrue(lock.isHeld());
        }
    }

    @Test
    void respectLiveUnlockedHolderDecidesWhetherALiveProcessInAnUnlockedPidfileRefuses() throws IOException {
        Path pidfile = dir.resolve("app.pid");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(pidfile, sleeper.pid() + "\n");
            AlreadyRunningException refused = assertThrows(AlreadyRunningException.class,
                    () -> at(pidfile).respectLiveUnlockedHolder(true).acquire());
            assertEquals(sleeper.pid(), refused.holderPid().orElseThrow());
            assertEquals(sleeper.pid() + "\n", Files.readString(pidfile), "left alone");
            try (PidLock lock = at(pidfile).respectLiveUnlockedHolder(false).acquire()) {
                assertTrue(lock.isHeld());
                assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pidfile), "taken over");
            }
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void ownershipWithAPolicyIsWhatAcquisitionAndReleaseFollow() throws IOException {
        Path pidfile = dir.resolve("app.pid");
        OwnershipPolicy keep = new OwnershipPolicy() {
            @Override
            public String id() {
                return "keep";
            }

            @Override
            public ReleaseAction releaseAction() {
                return ReleaseAction.KEEP;
            }
        };
        at(pidfile).ownership(keep).acquire().close();
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(pidfile), "kept, as the policy says");
        at(pidfile).ownership(OwnershipPolicy.defaults()).acquire().close();
        assertFalse(Files.exists(pidfile), "removed, as the default policy says");
    }

    @Test
    void ownershipWithAnIdSelectsThePolicyAndAnUnknownIdIsRefused() {
        Path pidfile = dir.resolve("app.pid");
        try (PidLock lock = at(pidfile).ownership("default").acquire()) {
            assertTrue(lock.isHeld());
        }
        assertFalse(Files.exists(pidfile), "the default policy removes the pidfile");
        NoProviderException e = assertThrows(NoProviderException.class,
                () -> at(pidfile).ownership("no-such-policy").acquire());
        assertTrue(e.getMessage().startsWith("no ownership policy has id \"no-such-policy\"; known: default"),
                e.getMessage());
        assertFalse(Files.exists(pidfile), "nothing was created");
    }

    @Test
    void theOwnershipPropertySelectsThePolicyWhenTheBuilderDoesNot() {
        Path pidfile = dir.resolve("app.pid");
        NoProviderException e = withPolicyProperty("no-such-policy",
                () -> assertThrows(NoProviderException.class, () -> at(pidfile).acquire()));
        assertTrue(e.getMessage().contains("(from system property " + POLICY_PROPERTY + ")"), e.getMessage());
        withPolicyProperty("no-such-policy", () -> {
            at(pidfile).ownership("default").acquire().close();
            return null;
        });
        withPolicyProperty(" default ", () -> {
            at(pidfile).acquire().close();
            return null;
        });
        assertFalse(Files.exists(pidfile));
    }

    private static <T> T withPolicyProperty(String value, Supplier<T> action) {
        String before = System.getProperty(POLICY_PROPERTY);
        System.setProperty(POLICY_PROPERTY, value);
        try {
            return action.get();
        } finally {
            if (before == null) {
                System.clearProperty(POLICY_PROPERTY);
            } else {
                System.setProperty(POLICY_PROPERTY, before);
            }
        }
    }

    /** @return the pid of a process that has exited (and was reaped) */
    private static long exitedPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** The child JVM's stdin, where the test says when to exit. */
    private static final BufferedReader STDIN = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.UTF_8));

    /**
     * The child JVM's side: {@code holdUntilExit PIDFILE} or {@code forThisProgram DIR} acquire with that
     * operation and say {@code HELD} and the pidfile; at the next line on stdin (or its end) the JVM exits with
     * the lock still held, leaving the release to the shutdown hook.
     *
     * @param args the operation and its argument
     * @throws IOException when stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        PidLock lock = switch (args[0]) {
            case "holdUntilExit" -> PidLock.at(Path.of(args[1])).holdUntilExit();
            case "forThisProgram" -> PidLock.forThisProgram().directory(Path.of(args[1])).holdUntilExit();
            default -> throw new IllegalArgumentException("no operation " + args[0]);
        };
        System.out.println("HELD " + lock.path());
        System.out.flush();
        STDIN.readLine();
        System.exit(0);
    }

    /**
     * Starts {@link #main} in a child JVM on the class path: this module's classes, its test classes, and a folder
     * whose {@code META-INF/services} names {@link TestBackend}.
     */
    private Child child(String... args) throws IOException {
        Path providers = dir.resolve("providers");
        Path services = Files.createDirectories(providers.resolve("META-INF/services"));
        Files.writeString(services.resolve(dev.pidlock.spi.LockBackend.class.getName()),
                TestBackend.class.getName() + "\n");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", String.join(java.io.File.pathSeparator, classes(PublicApiCoverageTest.class),
                        classes(PidLock.class), providers.toString()),
                PublicApiCoverageTest.class.getName()));
        command.addAll(List.of(args));
        return new Child(new ProcessBuilder(command).start());
    }

    private static String classes(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A child JVM, talked to line by line; killed when closed. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintStream in;

        Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        long pid() {
            return process.pid();
        }

        /** @return the first line that starts with {@code prefix}; fails at the end of the output */
        String expect(String prefix) throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new AssertionError("the child ended without saying " + prefix + ": " + stderr());
        }

        void send(String line) {
            in.println(line);
        }

        int waitFor() throws IOException {
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the child did not exit");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return process.exitValue();
        }

        String stderr() throws IOException {
            return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
