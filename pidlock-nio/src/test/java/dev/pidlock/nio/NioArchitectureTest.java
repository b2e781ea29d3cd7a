package dev.pidlock.nio;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A backend uses the JDK and pidlock's SPI only: never the API's internals, never another backend. */
class NioArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.pidlock.nio");

    @Test
    void dependsOnlyOnTheJdkAndTheSpi() {
        classes().that().resideInAPackage("dev.pidlock.nio..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.pidlock.spi..", "dev.pidlock.nio..")
                .check(CLASSES);
    }

    @Test
    void moduleExportsNothingAndProvidesTheBackend() {
        ModuleDescriptor d = NioBackend.class.getModule().getDescriptor();
        assertEquals("dev.pidlock.nio", d.name());
        assertEquals(Set.of(), d.exports());
        assertEquals(Set.of("dev.pidlock.api", "java.base"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        assertEquals(1, d.provides().size());
        ModuleDescriptor.Provides p = d.provides().iterator().next();
        assertEquals("dev.pidlock.spi.LockBackend", p.service());
        assertEquals(java.util.List.of(NioBackend.class.getName()), p.providers());
    }
}
