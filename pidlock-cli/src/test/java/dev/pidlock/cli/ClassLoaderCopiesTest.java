package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two copies of pidlock in one JVM, each loaded by its own class loader over the built jars (class path mode, as
 * two web applications in one server), for every backend: they share one registry, so the second copy never
 * acquires a file the first holds, answers an inspection of it without opening it, and never drops the first
 * copy's lock; once the first copy releases, the second acquires. Another process (Python's {@code fcntl})
 * confirms that the lock is held while it should be. The copies run in a JVM of their own
 * ({@link ClassLoaderCopies}).
 */
class ClassLoaderCopiesTest {

    /** The jars (or class directories) of a copy: the API, every backend module, and JNA. */
    private static final Pattern COPY = Pattern.compile(
            ".*/(pidlock-(api|nio|fcntl-jna|lockf)(/target/classes/?|-[0-9][^/]*\\.jar)|jna(-jpms)?-[0-9][^/]*\\.jar)$");

    private static final List<String> JARS = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void linuxAndBuiltJars() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"), "Linux backends");
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            for (String entry : System.getProperty(property, "").split(File.pathSeparator)) {
                if (COPY.matcher(entry.replace('\\', '/')).matches() && !JARS.contains(entry)) {
                    JARS.add(entry);
                }
            }
        }
        assertEquals(5, JARS.size(), () -> "the API, three backend modules and JNA on the test class path: " + JARS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "ofd+flock", "ofd", "flock", "posix", "lockf"})
    void aSecondCopyNeitherAcquiresNorDropsTheFirstCopysLock(String backend) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xshare:auto", "-cp", Path.of(ClassLoaderCopies.class.getProtectionDomain()
                .getCodeSource().getLocation().getPath()).toString(), ClassLoaderCopies.class.getName(), backend,
                dir.toString()));
        command.addAll(JARS);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "hung");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("OK " + backend), out);
    }
}
