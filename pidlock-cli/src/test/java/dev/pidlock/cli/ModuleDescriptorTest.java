package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The command exports nothing, opens its commands to picocli only, and spawns through
 * {@code dev.pidlock.fcntl} instead of binding the C library itself.
 */
class ModuleDescriptorTest {

    /** The descriptor the JVM runs with, or the compiled one when the tests run on the class path. */
    private static ModuleDescriptor descriptor() throws IOException {
        Module module = Main.class.getModule();
        if (module.isNamed()) {
            return module.getDescriptor();
        }
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleIsNamedDevPidlockCli() throws IOException {
        assertEquals("dev.pidlock.cli", descriptor().name());
        assertFalse(descriptor().isOpen());
        assertFalse(descriptor().isAutomatic());
    }

    @Test
    void itExportsNothingAndOpensItsCommandsToPicocliOnly() throws IOException {
        assertEquals(Set.of(), descriptor().exports());
        assertEquals(Map.of("dev.pidlock.cli", Set.of("info.picocli")), descriptor().opens().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Opens::source, ModuleDescriptor.Opens::targets)));
        assertTrue(descriptor().packages().contains("dev.pidlock.cli"), descriptor().packages().toString());
        assertFalse(descriptor().packages().contains("dev.pidlock.cli.spawn"), "spawning lives in dev.pidlock.fcntl");
    }

    @Test
    void itSpawnsThroughTheFcntlModuleAndBindsNoCLibraryItself() throws IOException {
        assertEquals(Set.of("java.base", "dev.pidlock.api", "dev.pidlock.fcntl", "info.picocli",
                        "com.fasterxml.jackson.core", "jdk.unsupported", "java.logging"),
                descriptor().requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void itUsesTheBackendsAndProvidesNothing() throws IOException {
        assertEquals(Set.of("dev.pidlock.spi.LockBackend"), descriptor().uses());
        assertEquals(Set.of(), descriptor().provides());
    }
}
