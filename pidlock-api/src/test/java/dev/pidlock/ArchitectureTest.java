package dev.pidlock;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layering of pidlock-api: JDK only, no package cycles, SPIs and internals below the API package. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.pidlock");
    }

    /** One slice per package, the top package {@code dev.pidlock} included. */
    private static final SliceAssignment PER_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            return pkg.equals("dev.pidlock") || pkg.startsWith("dev.pidlock.")
                    ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "one slice per package of dev.pidlock";
        }
    };

    @Test
    void theImportSeesTheMainClassesAndNoTests() {
        Set<String> packages = classes.stream().map(JavaClass::getPackageName).collect(Collectors.toSet());
        assertTrue(packages.containsAll(Set.of("dev.pidlock", "dev.pidlock.spi", "dev.pidlock.internal.content",
                "dev.pidlock.internal.naming", "dev.pidlock.internal.proc", "dev.pidlock.internal.registry")),
                packages.toString());
        assertTrue(classes.contain(PidLock.class));
        assertTrue(classes.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")), "test classes imported");
    }

    @Test
    void theApiDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("dev.pidlock..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.pidlock..")
                .check(classes);
    }

    @Test
    void thePackagesAreFreeOfCycles() {
        slices().assignedFrom(PER_PACKAGE).should().beFreeOfCycles().check(classes);
    }

    @Test
    void theSubpackagesAreFreeOfCycles() {
        slices().matching("dev.pidlock.(**)").should().beFreeOfCycles().check(classes);
    }

    /** Save the one {@code /proc} reader, which the built-in stale detectors share with the API. */
    @Test
    void theSpiDependsNeitherOnTheApiPackageNorOnInternals() {
        noClasses().that().resideInAPackage("dev.pidlock.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.pidlock")
                .orShould().dependOnClassesThat(resideInAPackage("dev.pidlock.internal..")
                        .and(not(resideInAPackage("dev.pidlock.internal.proc"))))
                .check(classes);
    }

    /** The {@code /proc} reader is a leaf below the SPI: it can close no cycle through it. */
    @Test
    void theProcReaderDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("dev.pidlock.internal.proc")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.pidlock.internal.proc")
                .check(classes);
    }

    @Test
    void theInternalsDoNotDependOnTheApiPackage() {
        noClasses().that().resideInAPackage("dev.pidlock.internal..")
                .should().dependOnClassesThat().resideInAPackage("dev.pidlock")
                .check(classes);
    }
}
