package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgramNameTest {

    @Test
    void aJarPathGivesTheJarNameWithoutDotJar() {
        assertEquals(Optional.of("backup-tool"), ProgramName.fromLaunch(null, "/opt/app/lib/backup-tool.jar --full"));
        assertEquals(Optional.of("app"), ProgramName.fromLaunch(null, "app.jar"));
        assertEquals(Optional.of("app"), ProgramName.fromLaunch(null, "C:\\apps\\app.jar arg"));
    }

    @Test
    void aMainClassGivesItsSimpleName() {
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "com.x.Main arg"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "com.x.Main"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "Main"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "  com.x.Main\targ  "));
    }

    @Test
    void aModuleSlashMainClassGivesTheClassSimpleName() {
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "mod/com.x.Main"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "my.mod/com.x.Main a b"));
    }

    @Test
    void theMainModuleWins() {
        assertEquals(Optional.of("dev.pidlock.cli"), ProgramName.fromLaunch("dev.pidlock.cli", "com.x.Main arg"));
        assertEquals(Optional.of("mod"), ProgramName.fromLaunch(" mod ", "app.jar"));
    }

    @Test
    void aBlankMainModuleIsIgnored() {
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch("  ", "com.x.Main"));
    }

    @Test
    void nothingKnownGivesNothing() {
        assertEquals(Optional.empty(), ProgramName.fromLaunch(null, null));
        assertEquals(Optional.empty(), ProgramName.fromLaunch(null, ""));
        assertEquals(Optional.empty(), ProgramName.fromLaunch("", "  \t "));
    }

    @Test
    void thisJvmHasAName() {
        String name = ProgramName.ofThisJvm();
        assertFalse(name.isBlank());
        assertFalse(name.contains(" "), name);
    }

    /** With {@code java -jar}, the class path tells where a jar path with spaces ends. */
    @Test
    void jarPathWithSpaces() {
        assertEquals(Optional.of("x"), ProgramName.fromLaunch(null, "/opt/my app/x.jar --verbose", "/opt/my app/x.jar"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "com.x.Main a b", "/opt/lib/a.jar:/opt/lib/b.jar"));
    }
}
