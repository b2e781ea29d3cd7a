package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {

    /** The descriptor the JVM runs with, or the compiled one when the tests run on the class path. */
    private static ModuleDescriptor descriptor() throws IOException {
        Module module = PidLock.class.getModule();
        if (module.isNamed()) {
            return module.getDescriptor();
        }
        try (InputStream in = Files.newInputStream(Path.of("target/classes/module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theModuleIsNamedDevPidlockApi() throws IOException {
        assertEquals("dev.pidlock.api", descriptor().name());
        assertFalse(descriptor().isOpen());
        assertFalse(descriptor().isAutomatic());
    }

    @Test
    void itExportsExactlyTheApiAndTheSpiToEveryone() throws IOException {
        Set<ModuleDescriptor.Exports> exports = descriptor().exports().stream().filter(e -> !e.isQualified())
                .collect(Collectors.toSet());
        assertEquals(Set.of("dev.pidlock", "dev.pidlock.spi"),
                exports.stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(exports.stream().noneMatch(ModuleDescriptor.Exports::isQualified), exports.toString());
        assertEquals(Set.of(), descriptor().opens());
    }

    @Test
    void itExportsTheProcReaderOnlyToTheNativeBackendsTheCommandAndTheDaemon() throws IOException {
        Set<ModuleDescriptor.Exports> qualified = descriptor().exports().stream()
                .filter(ModuleDescriptor.Exports::isQualified).collect(Collectors.toSet());
        assertEquals(1, qualified.size(), qualified.toString());
        ModuleDescriptor.Exports proc = qualified.iterator().next();
        assertEquals("dev.pidlock.internal.proc", proc.source());
        assertEquals(Set.of("dev.pidlock.fcntl", "dev.pidlock.cli", "dev.pidlock.daemon"), proc.targets());
    }

    @Test
    void itKeepsTheInternalsInside() throws IOException {
        ModuleDescriptor descriptor = descriptor();
        Set<String> packages = descriptor.packages();
        assertTrue(packages.contains("dev.pidlock.internal.content"), packages.toString());
        assertTrue(packages.stream().filter(p -> p.contains(".internal")).noneMatch(
                p -> descriptor.exports().stream().anyMatch(e -> e.source().equals(p) && !e.isQualified())));
        assertTrue(packages.stream().filter(p -> p.contains(".internal") && !p.equals("dev.pidlock.internal.proc"))
                .noneMatch(p -> descriptor.exports().stream().anyMatch(e -> e.source().equals(p))));
    }

    @Test
    void itRequiresOnlyJavaBase() throws IOException {
        assertEquals(Set.of("java.base"),
                descriptor().requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
    }

    @Test
    void itUsesTheThreeSpis() throws IOException {
        assertEquals(Set.of("dev.pidlock.spi.LockBackend", "dev.pidlock.spi.StaleDetector",
                "dev.pidlock.spi.OwnershipPolicy"), descriptor().uses());
    }
}
