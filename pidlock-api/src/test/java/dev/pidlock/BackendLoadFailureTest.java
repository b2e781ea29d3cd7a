package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.LockBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend provider that cannot be loaded is listed by {@link PidLock#backends()} with why, and named when
 * nothing can lock. Runs a child JVM with pidlock on the class path and a {@code META-INF/services} entry that
 * names a backend class that cannot be instantiated.
 */
class BackendLoadFailureTest {

    /** A backend class ServiceLoader cannot instantiate (it is abstract). */
    public abstract static class Uninstantiable implements LockBackend {
        /** Never runs. */
        public Uninstantiable() {
        }
    }

    /** The child: prints each backend found, then what acquiring says. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args the pidfile to try
         */
        public static void main(String[] args) {
            for (BackendInfo b : PidLock.backends()) {
                System.out.println("BACKEND " + b);
            }
            try {
                PidLock.at(Path.of(args[0])).acquire().close();
            } catch (NoBackendException e) {
                System.out.println("NONE " + e.getMessage());
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void aProviderThatFailsToLoadIsListedWithWhyAndNamedWhenNothingCanLock() throws IOException, InterruptedException {
        Path services = Files.createDirectories(dir.resolve("providers/META-INF/services"));
        Files.writeString(services.resolve(LockBackend.class.getName()), Uninstantiable.class.getName() + "\n");
        String classPath = String.join(java.io.File.pathSeparator,
                Path.of("target", "classes").toAbsolutePath().toString(),
                Path.of("target", "test-classes").toAbsolutePath().toString(), dir.resolve("providers").toString());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Child.class.getName(), dir.resolve("a.pid").toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM ended");
        List<String> out = List.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        assertEquals(0, p.exitValue(), out.toString());

        List<String> backends = out.stream().filter(l -> l.startsWith("BACKEND ")).toList();
        assertEquals(1, backends.size(), out.toString());
        String b = backends.get(0);
        assertTrue(b.contains("id=" + Uninstantiable.class.getName() + ","), "named by its class: " + b);
        assertTrue(b.contains("module=class path: test-classes/,"), "where it came from: " + b);
        assertTrue(b.contains("available=false") && b.contains("loaded=false") && b.contains("isDefault=false"), b);
        assertTrue(b.contains("cause=Optional[failed to load: ") && b.contains("could not be instantiated")
                && b.contains("InstantiationException"), "why, with the provider's own exception: " + b);
        assertTrue(b.contains("priority=" + Integer.MIN_VALUE + ","), b);

        String none = out.stream().filter(l -> l.startsWith("NONE ")).findFirst().orElse("");
        assertTrue(none.contains("none was found [failed to load: ") && none.contains(Uninstantiable.class.getName()),
                "nothing can lock, and the failure is named: " + out);
    }
}
