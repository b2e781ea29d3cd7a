package dev.pidlock.lockf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports nothing and provides its one backend over the libc binding of dev.pidlock.fcntl. */
class ModuleDescriptorTest {

    /** The descriptor the JVM runs with, or the compiled one when the tests run on the class path. */
    private static ModuleDescriptor descriptor() throws IOException {
        Module module = LockfBackend.class.getModule();
        if (module.isNamed()) {
            return module.getDescriptor();
        }
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleIsNamedDevPidlockLockf() throws IOException {
        assertEquals("dev.pidlock.lockf", descriptor().name());
        assertFalse(descriptor().isOpen());
        assertFalse(descriptor().isAutomatic());
    }

    @Test
    void itExportsAndOpensNothing() throws IOException {
        assertEquals(Set.of(), descriptor().exports());
        assertEquals(Set.of(), descriptor().opens());
        assertTrue(descriptor().packages().contains("dev.pidlock.lockf"), descriptor().packages().toString());
    }

    @Test
    void itRequiresTheApiAndTheBindingOnly() throws IOException {
        assertEquals(Set.of("java.base", "dev.pidlock.api", "dev.pidlock.fcntl"),
                descriptor().requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void itProvidesTheLockfBackendAndUsesNothing() throws IOException {
        Set<ModuleDescriptor.Provides> provides = descriptor().provides();
        assertEquals(1, provides.size(), provides.toString());
        ModuleDescriptor.Provides p = provides.iterator().next();
        assertEquals("dev.pidlock.spi.LockBackend", p.service());
        assertEquals(List.of("dev.pidlock.lockf.LockfBackend"), p.providers());
        assertEquals(Set.of(), descriptor().uses());
    }
}
