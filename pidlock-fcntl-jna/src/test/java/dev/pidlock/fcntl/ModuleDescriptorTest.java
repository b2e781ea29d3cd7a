package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports its libc binding and spawning only to the modules that need them, and nothing else. */
class ModuleDescriptorTest {

    /** The descriptor the JVM runs with, or the compiled one when the tests run on the class path. */
    private static ModuleDescriptor descriptor() throws IOException {
        Module module = OfdFlockBackend.class.getModule();
        if (module.isNamed()) {
            return module.getDescriptor();
        }
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleIsNamedDevPidlockFcntl() throws IOException {
        assertEquals("dev.pidlock.fcntl", descriptor().name());
        assertFalse(descriptor().isOpen());
        assertFalse(descriptor().isAutomatic());
    }

    @Test
    void itExportsTheBindingAndSpawningOnlyToTheModulesThatNeedThem() throws IOException {
        Set<ModuleDescriptor.Exports> exports = descriptor().exports();
        assertTrue(exports.stream().allMatch(ModuleDescriptor.Exports::isQualified), exports.toString());
        assertEquals(Map.of(
                        "dev.pidlock.fcntl.libc", Set.of("dev.pidlock.lockf", "com.sun.jna"),
                        "dev.pidlock.fcntl.spawn", Set.of("dev.pidlock.cli", "dev.pidlock.daemon", "com.sun.jna")),
                exports.stream().collect(Collectors.toMap(ModuleDescriptor.Exports::source,
                        ModuleDescriptor.Exports::targets)));
        assertEquals(Set.of(), descriptor().opens());
    }

    @Test
    void itKeepsTheBackendsInside() throws IOException {
        ModuleDescriptor descriptor = descriptor();
        assertTrue(descriptor.packages().containsAll(Set.of("dev.pidlock.fcntl", "dev.pidlock.fcntl.libc",
                "dev.pidlock.fcntl.spawn")), descriptor.packages().toString());
        assertTrue(descriptor.exports().stream().noneMatch(e -> e.source().equals("dev.pidlock.fcntl")));
    }

    @Test
    void itRequiresTheApiAndJnaOnly() throws IOException {
        assertEquals(Set.of("java.base", "dev.pidlock.api", "com.sun.jna"),
                descriptor().requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void itProvidesTheFourBackendsAndUsesNothing() throws IOException {
        Set<ModuleDescriptor.Provides> provides = descriptor().provides();
        assertEquals(1, provides.size(), provides.toString());
        ModuleDescriptor.Provides p = provides.iterator().next();
        assertEquals("dev.pidlock.spi.LockBackend", p.service());
        assertEquals(List.of("dev.pidlock.fcntl.OfdFlockBackend", "dev.pidlock.fcntl.OfdBackend",
                "dev.pidlock.fcntl.FlockBackend", "dev.pidlock.fcntl.PosixBackend"), p.providers());
        assertEquals(Set.of(), descriptor().uses());
    }
}
