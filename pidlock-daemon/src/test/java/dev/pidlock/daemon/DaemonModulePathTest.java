package dev.pidlock.daemon;

import dev.pidlock.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The example daemons run as child JVMs on the module path: module {@code dev.pidlock.daemon} (the test classes
 * patched in), {@code dev.pidlock.api} and {@code dev.pidlock.nio}, with or without {@code info.picocli}.
 */
class DaemonModulePathTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private static String entry(String what, Predicate<String> test) {
        return Arrays.stream(ChildProcess.classPath().split(File.pathSeparator)).filter(test).findFirst()
                .orElseThrow(() -> new AssertionError("no " + what + " in " + ChildProcess.classPath()));
    }

    /** @return the module's classes (folder or jar) or, for {@code test-classes}, its test classes */
    private static String reactor(String module, String folder) {
        String target = File.separator + module + File.separator + "target" + File.separator;
        return entry(module + " " + folder, folder.equals("test-classes")
                ? e -> e.contains(target + "test-classes")
                : e -> e.contains(target) && !e.contains("test-classes"));
    }

    /** A {@code java} command running {@code mainClass} of module dev.pidlock.daemon on the module path. */
    private static List<String> onModulePath(boolean picocli, List<String> jvmOptions, String mainClass,
                                             String... args) {
        List<String> modules = new ArrayList<>(List.of(reactor("pidlock-daemon", "classes"),
                reactor("pidlock-api", "classes"), reactor("pidlock-nio", "classes"),
                reactor("pidlock-fcntl-jna", "classes"),
                entry("jna-jpms", e -> Path.of(e).getFileName().toString().matches("jna-jpms-.*\\.jar"))));
        if (picocli) {
            modules.add(entry("picocli", e -> Path.of(e).getFileName().toString().matches("picocli-.*\\.jar")));
        }
        modules.forEach(m -> assertFalse(m.contains("test-classes"), m));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getProperty(ChildProcess.JVM_ARGS_PROPERTY, "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(Arrays.asList(extra.split("\\s+")));
        }
        cmd.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--module-path", String.join(File.pathSeparator, modules),
                "--patch-module", "dev.pidlock.daemon=" + reactor("pidlock-daemon", "test-classes")));
        if (picocli) {
            // the program's own module would say requires info.picocli; the daemon's is only static
            cmd.addAll(List.of("--add-modules", "info.picocli"));
        }
        cmd.addAll(List.of("--module", "dev.pidlock.daemon/" + mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Process run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectOutput(dir.resolve("out-" + started.size() + ".txt").toFile());
        pb.redirectError(dir.resolve("err-" + started.size() + ".txt").toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private static int waitFor(Process p) throws InterruptedException {
        if (!p.waitFor(ChildProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            fail("the child did not end: " + p.pid());
        }
        return p.exitValue();
    }

    private String out(Process p) throws IOException {
        return Files.readString(dir.resolve("out-" + started.indexOf(p) + ".txt"), StandardCharsets.UTF_8);
    }

    private String err(Process p) throws IOException {
        return Files.readString(dir.resolve("err-" + started.indexOf(p) + ".txt"), StandardCharsets.UTF_8);
    }

    private String[] example(String mode, String... action) {
        List<String> args = new ArrayList<>(List.of(dir.resolve("feeder.pid").toString(),
                dir.resolve("callback.txt").toString(), mode));
        args.addAll(List.of(action));
        return args.toArray(String[]::new);
    }

    @Test
    void withoutPicocliOnTheModulePathTheDaemonRunsItsActions() throws Exception {
        Process status = run(onModulePath(false, List.of(), ExampleDaemon.class.getName(),
                example("sleep", "status")));
        assertEquals(3, waitFor(status), out(status) + err(status));
        assertEquals("feeder -- status: not running", out(status).trim());

        Process hello = run(onModulePath(false, List.of(), ExampleDaemon.class.getName(),
                example("sleep", "hello", "a", "b")));
        assertEquals(7, waitFor(hello), out(hello) + err(hello));
        assertEquals("hello a b from feeder", out(hello).trim());
    }

    @Test
    void theDaemonLoadsNoPicocliClassEvenWhenPicocliIsThere() throws Exception {
        Path log = dir.resolve("classes.log");
        Process status = run(onModulePath(true, List.of("-Xlog:class+load=info:file=" + log),
                ExampleDaemon.class.getName(), example("sleep", "status")));
        assertEquals(3, waitFor(status), out(status) + err(status));
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" dev.pidlock.daemon.Daemon ")), "no class log");
        assertEquals(List.of(), lines.stream().filter(l -> l.contains(" picocli.")).toList());
    }

    @Test
    void withPicocliOnTheModulePathTheActionsAreSubcommandsOfTheProgramsCommand() throws Exception {
        Process version = run(onModulePath(true, List.of(), PicocliExampleDaemon.class.getName(),
                example("return", "version")));
        assertEquals(42, waitFor(version), out(version) + err(version));
        assertEquals("feeder 1.0", out(version).trim());

        Process hello = run(onModulePath(true, List.of(), PicocliExampleDaemon.class.getName(),
                example("return", "hello", "a", "--b")));
        assertEquals(7, waitFor(hello), out(hello) + err(hello));
        assertEquals("hello a --b from feeder", out(hello).trim());

        Process start = run(onModulePath(true, List.of(), PicocliExampleDaemon.class.getName(),
                example("return", "start", "--foreground")));
        assertEquals(0, waitFor(start), out(start) + err(start));
        assertEquals("Shutting down normally|0\n", Files.readString(dir.resolve("callback.txt")));

        Process status = run(onModulePath(true, List.of(), PicocliExampleDaemon.class.getName(),
                example("return", "status")));
        assertEquals(3, waitFor(status), out(status) + err(status));
    }

    private String daemonErr() {
        try {
            return "\ndaemon's stderr:\n" + Files.readString(dir.resolve("daemon-err.txt"));
        } catch (IOException e) {
            return "\n(no daemon stderr: " + e + ")";
        }
    }

    /** The whole life of a detached daemon on the module path: the start relaunches it with its module path. */
    @Test
    void onTheModulePathADetachedDaemonStartsReloadsAndStops() throws Exception {
        List<String> jvm = List.of("--enable-native-access=com.sun.jna");
        Process start = run(onModulePath(false, jvm, ExampleDaemon.class.getName(), example("sleep", "start")));
        assertEquals(0, waitFor(start), out(start) + err(start));
        assertEquals("Starting feeder ... OK", out(start).trim());
        long pid = Daemon.builder("feeder").pidFile(dir.resolve("feeder.pid")).build().status().pid().orElseThrow();
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains(" --module dev.pidlock.daemon/" + ExampleDaemon.class.getName() + " "), cmdline);

        Process reload = run(onModulePath(false, jvm, ExampleDaemon.class.getName(), example("sleep", "reload")));
        int reloaded = waitFor(reload);
        assertEquals(0, reloaded, out(reload) + err(reload) + daemonErr());
        assertEquals("Reloading feeder ... OK", out(reload).trim());
        assertEquals(pid, Daemon.builder("feeder").pidFile(dir.resolve("feeder.pid")).build().status().pid()
                .orElseThrow());

        Process stop = run(onModulePath(false, jvm, ExampleDaemon.class.getName(), example("sleep", "stop")));
        assertEquals(0, waitFor(stop), out(stop) + err(stop));
        assertEquals("Stopping feeder ... OK", out(stop).trim());
        assertEquals("Reloading on SIGHUP (1)|0\nTerminated by SIGTERM (15)|0\n",
                Files.readString(dir.resolve("callback.txt")));
        assertEquals("", err(stop) + err(reload) + err(start), "nothing on stderr");
    }
}
