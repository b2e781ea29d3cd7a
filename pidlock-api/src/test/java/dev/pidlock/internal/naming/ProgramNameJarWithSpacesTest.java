package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** With {@code java -jar}, the class path tells where a jar path with spaces ends. */
class ProgramNameJarWithSpacesTest {

    @Test
    void jarPathWithSpaces() {
        assertEquals(Optional.of("x"), ProgramName.fromLaunch(null, "/opt/my app/x.jar --verbose", "/opt/my app/x.jar"));
        assertEquals(Optional.of("Main"), ProgramName.fromLaunch(null, "com.x.Main a b", "/opt/lib/a.jar:/opt/lib/b.jar"));
    }
}
