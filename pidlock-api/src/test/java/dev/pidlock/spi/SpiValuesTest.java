package dev.pidlock.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hand-written value methods and the probes' scratch directories. */
class SpiValuesTest {

    @Test
    void fileIdentityIsEqualExactlyWhenDeviceAndInodeAre() {
        qt().forAll(longs().all(), longs().all(), longs().all(), longs().all()).checkAssert((d1, i1, d2, i2) -> {
            FileIdentity a = new FileIdentity(d1, i1);
            FileIdentity b = new FileIdentity(d2, i2);
            assertEquals(d1.equals(d2) && i1.equals(i2), a.equals(b));
            assertEquals(i1.equals(i2), a.equals(new FileIdentity(d1, i2)), "same device");
            assertEquals(d1.equals(d2), a.equals(new FileIdentity(d2, i1)), "same inode");
            assertEquals(a, new FileIdentity(d1, i1));
            assertEquals(a.hashCode(), new FileIdentity(d1, i1).hashCode());
        });
        assertNotEquals(new FileIdentity(1, 2), new FileIdentity(2, 1));
        assertNotEquals(new FileIdentity(1, 2), (Object) "dev=1,ino=2");
    }

    @Test
    void scratchDirectoriesAreFreshPrivateAndNamedSafely() throws Exception {
        Set<Path> seen = new HashSet<>();
        try {
            for (int i = 0; i < 50; i++) {
                Path dir = Availability.scratchDirectory("a/b+c\u00e9");
                assertTrue(seen.add(dir), "a second probe got " + dir + " again");
                assertTrue(Files.isDirectory(dir));
                assertEquals(Path.of(System.getProperty("java.io.tmpdir")), dir.getParent());
                assertTrue(dir.getFileName().toString().startsWith("pidlock-probe-a-b-c--"), dir.toString());
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            }
        } finally {
            for (Path dir : seen) {
                Files.deleteIfExists(dir);
            }
        }
    }
}
