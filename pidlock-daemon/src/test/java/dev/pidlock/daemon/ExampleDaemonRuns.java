package dev.pidlock.daemon;

import dev.pidlock.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the tests that run {@link ExampleDaemon} as child JVMs share: its files in a temporary directory, its runs
 * (each with its stdout and stderr in a file), and their end.
 */
abstract class ExampleDaemonRuns {
    @TempDir
    Path dir;

    /** Every run started, ended forcibly after each test. */
    final List<Process> started = new ArrayList<>();
    /** A detached daemon a test found, ended forcibly after it; -1 when none. */
    long daemonPid = -1;

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
        if (daemonPid > 0) {
            ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    Path pidFile() {
        return dir.resolve("feeder.pid");
    }

    Path callbackFile() {
        return dir.resolve("callback.txt");
    }

    /** Starts {@code ExampleDaemon PIDFILE CALLBACK_FILE mode action...} on the class path. */
    Process example(String mode, String... action) throws IOException {
        List<String> args = new ArrayList<>(List.of(pidFile().toString(), callbackFile().toString(), mode));
        args.addAll(List.of(action));
        ProcessBuilder pb = new ProcessBuilder(ChildProcess.javaCommand(ExampleDaemon.class.getName(),
                args.toArray(String[]::new)));
        pb.redirectOutput(dir.resolve("out-" + started.size() + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + started.size() + ".txt").toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            fail("the child did not end: " + p.pid());
        }
        return p.exitValue();
    }

    String out(Process p) throws IOException {
        return Files.readString(dir.resolve("out-" + started.indexOf(p) + ".txt"), StandardCharsets.UTF_8);
    }

    String err(Process p) throws IOException {
        return Files.readString(dir.resolve("err-" + started.indexOf(p) + ".txt"), StandardCharsets.UTF_8);
    }

    /** @return the lines the example's workers wrote as they started ("PID RANDOM") */
    List<String> workers() {
        try {
            Path f = dir.resolve("workers.txt");
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + ChildProcess.PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited in vain for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** @return whether the process runs: neither gone nor a zombie waiting for its new parent to reap it */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }
}
