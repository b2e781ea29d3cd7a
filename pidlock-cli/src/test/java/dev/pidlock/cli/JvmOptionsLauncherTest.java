package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's class sharing (a JDK 25 AOT cache, or an older JDK's archive) never stops the launcher: whatever
 * class-sharing options the caller's JVM variables give the JVM, however they give them (the three variables
 * the JVM reads, an argument file, a VM options file), {@code run} runs its command and prints nothing but the
 * JVM's own notes about those variables. A JVM that refuses its options exits 1, which a caller would take for
 * "already running".
 */
class JvmOptionsLauncherTest {

    @TempDir
    Path dir;

    Launcher pidlock;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    /**
     * The JVM loads every class of its AOT cache as it starts: a run of the etcd backend has a cache of its own,
     * and the others do not load its HTTP client at all.
     */
    @Test
    void anEtcdRunHasAnAotCacheOfItsOwnAndOtherRunsDoNotLoadItsClasses() throws IOException {
        Path image = pidlock.executable().toAbsolutePath().getParent().getParent();
        assumeTrue(Files.exists(image.resolve("lib/pidlock.aot")), "a JDK 25 image (AOT caches)");
        assertTrue(Files.exists(image.resolve("lib/pidlock-etcd.aot")), "the etcd run's cache");
        Path plain = dir.resolve("plain.txt");
        Path etcd = dir.resolve("etcd.txt");
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_TOOL_OPTIONS", null);
        env.put("_JAVA_OPTIONS", null);
        env.put("JDK_JAVA_OPTIONS", "-Xlog:class+load:file=" + plain);
        Launcher.Result r = pidlock.shell(env, "\"$PIDLOCK\" run --pidfile '" + dir.resolve("a.pid") + "' -- true");
        assertEquals(0, r.exit(), r.toString());
        env.put("JDK_JAVA_OPTIONS", "-Xlog:class+load:file=" + etcd);
        env.put("PIDLOCK_ETCD_ENDPOINTS", "http://127.0.0.1:1");
        r = pidlock.shell(env, "\"$PIDLOCK\" run --name a --dir '" + dir + "' --backend etcd -- true");
        assertEquals(74, r.exit(), r.toString()); // nothing listens on port 1
        String http = "jdk.internal.net.http.HttpClientImpl ";
        assertTrue(Files.readString(plain).lines().noneMatch(l -> l.contains(http)), "a plain run loads no HTTP client");
        assertTrue(Files.readString(etcd).lines().anyMatch(l -> l.contains(http + "source: shared objects file")),
                "an etcd run finds the HTTP client in its cache");
        assertTrue(Files.readString(plain).lines()
                        .anyMatch(l -> l.contains("dev.pidlock.cli.RunCommand source: shared objects file")),
                "a plain run finds its classes in its cache");
    }

    /**
     * A short run compiles only code that stays hot; an etcd run (HTTP and TLS for as long as it holds the lock)
     * compiles as usual.
     */
    @Test
    void onlyAnEtcdRunCompilesAtTheUsualThresholds() {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_TOOL_OPTIONS", null);
        env.put("_JAVA_OPTIONS", null);
        env.put("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal");
        env.put("PIDLOCK_ETCD_ENDPOINTS", "http://127.0.0.1:1");
        Launcher.Result plain = pidlock.shell(env, "\"$PIDLOCK\" run --pidfile '" + dir.resolve("a.pid") + "' -- true");
        Launcher.Result etcd = pidlock.shell(env, "\"$PIDLOCK\" run --name a --dir '" + dir + "' --backend etcd -- true");
        assertEquals(List.of("100.000000"), scaling(plain), plain.toString());
        assertEquals(List.of("1.000000"), scaling(etcd), etcd.toString());
    }

    private static List<String> scaling(Launcher.Result r) {
        return r.stdout().lines().filter(l -> l.contains(" CompileThresholdScaling "))
                .map(l -> l.trim().split("\\s+")[3]).toList();
    }

    @Test
    void classSharingOptionsOfTheCallerNeverStopTheLauncher() throws IOException {
        Path argFile = Files.writeString(dir.resolve("jvm.args"), "-Xshare:off\n");
        Path optionsFile = Files.writeString(dir.resolve("jvm.options"), "-Xshare:off\n");
        Path classList = Files.writeString(dir.resolve("classes.txt"), "java/lang/Object\n");
        List<String[]> settings = List.of(
                new String[] {"_JAVA_OPTIONS", "-Xshare:off"},
                new String[] {"_JAVA_OPTIONS", "-XX:SharedArchiveFile=" + dir.resolve("none.jsa")},
                new String[] {"JDK_JAVA_OPTIONS", "@" + argFile},
                new String[] {"JAVA_TOOL_OPTIONS", "-XX:VMOptionsFile=" + optionsFile},
                new String[] {"JDK_JAVA_OPTIONS", "-XX:DumpLoadedClassList=" + dir.resolve("loaded.txt")},
                new String[] {"JAVA_TOOL_OPTIONS", "-XX:SharedClassListFile=" + classList},
                new String[] {"JAVA_TOOL_OPTIONS", "-Xshare:off"},
                new String[] {"JDK_JAVA_OPTIONS", "-Xshare:auto"});
        for (String[] setting : settings) {
            Map<String, String> env = new HashMap<>();
            env.put("JAVA_TOOL_OPTIONS", null);
            env.put("JDK_JAVA_OPTIONS", null);
            env.put("_JAVA_OPTIONS", null);
            env.put(setting[0], setting[1]);
            Launcher.Result r = pidlock.shell(env, "\"$PIDLOCK\" run --pidfile '" + dir.resolve("a.pid")
                    + "' -- echo ran");
            String unexpected = String.join("\n", r.stderr().lines()
                    .filter(l -> !l.matches("(NOTE: )?Picked up (_JAVA_OPTIONS|JDK_JAVA_OPTIONS|JAVA_TOOL_OPTIONS): .*"))
                    .toList());
            assertEquals(List.of(0, "ran\n", ""), List.of(r.exit(), r.stdout(), unexpected),
                    Arrays.toString(setting) + ": " + r);
        }
    }
}
