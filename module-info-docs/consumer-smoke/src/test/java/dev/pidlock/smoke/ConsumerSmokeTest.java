package dev.pidlock.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application {@link Main}, packaged, run as a consumer runs it: a child JVM with the packaged jar and the
 * reactor's jars (copied by the package phase), once on the module path ({@code -m dev.pidlock.smoke/…}) and
 * once on the class path. Every backend is selected by id and acquires; each is found in its own module on the
 * module path and through {@code META-INF/services} in its jar on the class path; {@code auto} never picks
 * {@code mkdir}; no warning is printed, the JVM's included (JDK 24 and later: native access is granted to JNA).
 */
class ConsumerSmokeTest {

    /** Every backend id and the module that provides it. */
    static final Map<String, String> BACKENDS = new LinkedHashMap<>();

    static {
        BACKENDS.put("nio", "dev.pidlock.nio");
        BACKENDS.put("ofd+flock", "dev.pidlock.fcntl");
        BACKENDS.put("ofd", "dev.pidlock.fcntl");
        BACKENDS.put("flock", "dev.pidlock.fcntl");
        BACKENDS.put("posix", "dev.pidlock.fcntl");
        BACKENDS.put("lockf", "dev.pidlock.lockf");
        BACKENDS.put("mkdir", "dev.pidlock.example.mkdir");
    }

    /** The jar each module comes in, on the class path. */
    static final Map<String, String> JARS = Map.of("dev.pidlock.nio", "pidlock-nio",
            "dev.pidlock.fcntl", "pidlock-fcntl-jna", "dev.pidlock.lockf", "pidlock-lockf",
            "dev.pidlock.example.mkdir", "pidlock-example-mkdir");

    @TempDir
    Path dir;

    private static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null, "system property " + name + " is not set: run through mvn verify");
        return value;
    }

    private static List<String> java(String nativeAccessProperty) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String nativeAccess = System.getProperty(nativeAccessProperty, "").trim();
        if (!nativeAccess.isEmpty()) {
            cmd.add(nativeAccess);
        }
        cmd.add("-Djna.tmpdir=" + property("smoke.jnaTmpdir"));
        return cmd;
    }

    private List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the application did not end: " + command);
        String stderr = err.get(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out + stderr);
        // pidlock logs acquired and released at DEBUG through System.Logger (java.util.logging here, which shows
        // INFO and up on stderr); warnings, the JVM's own included ("WARNING: A restricted method … has been called"), must not appear.
        assertTrue(stderr.lines().noneMatch(l -> l.startsWith("WARNING") || l.startsWith("SEVERE")),
                "the JVM or the application complained: " + String.join(" ", command) + "\n" + stderr);
        return out.lines().toList();
    }

    private void check(List<String> lines, String mode, boolean modulePath) {
        assertEquals("MODE " + mode, lines.get(0), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith("DEFAULT "), String.join("\n", lines));
        assertFalse(lines.get(1).equals("DEFAULT mkdir"), "auto must never choose mkdir: " + lines.get(1));
        for (Map.Entry<String, String> b : BACKENDS.entrySet()) {
            String id = b.getKey();
            String acquired = lines.stream().filter(l -> l.startsWith("ACQUIRED " + id + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError(id + " did not acquire:\n" + String.join("\n", lines)));
            String module = acquired.split(" ")[2];
            String expected = modulePath ? "module=" + b.getValue()
                    : "module=class_path:_" + JARS.get(b.getValue()) + "-";
            assertTrue(modulePath ? module.equals(expected) : module.startsWith(expected),
                    id + " should come from " + expected + ": " + acquired);
            assertTrue(lines.contains("RELEASED " + id + " removed=true"), id + ": " + String.join("\n", lines));
        }
    }

    private String[] ids() {
        return BACKENDS.keySet().toArray(String[]::new);
    }

    /**
     * On the module path, the application module requires only {@code dev.pidlock.api}; service binding adds
     * every backend module (and JNA) to the module graph.
     *
     * @throws Exception when the application cannot run
     */
    @Test
    void onTheModulePathEveryBackendIsFoundInItsModuleAndLocks() throws Exception {
        List<String> cmd = java("smoke.nativeAccess.modulePath");
        cmd.addAll(List.of("--module-path", property("smoke.jar") + File.pathSeparator + property("smoke.lib"),
                "-m", "dev.pidlock.smoke/dev.pidlock.smoke.Main", dir.toString()));
        cmd.addAll(List.of(ids()));
        check(run(cmd), "module", true);
    }

    /**
     * On the class path, every backend is found through the {@code META-INF/services} file of its jar.
     *
     * @throws Exception when the application cannot run
     */
    @Test
    void onTheClassPathEveryBackendIsFoundThroughMetaInfServicesAndLocks() throws Exception {
        List<String> cmd = java("smoke.nativeAccess.classPath");
        cmd.addAll(List.of("-cp", property("smoke.jar") + File.pathSeparator + property("smoke.lib")
                + File.separator + "*", "dev.pidlock.smoke.Main", dir.toString()));
        cmd.addAll(List.of(ids()));
        check(run(cmd), "class-path", false);
        assertTrue(Files.isDirectory(Path.of(property("smoke.lib"))));
    }
}
