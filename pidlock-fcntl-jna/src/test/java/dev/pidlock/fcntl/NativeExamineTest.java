package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pidlock.spi.LockBackend;
import dev.pidlock.spi.PathFacts;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native backends' one-call {@code lstat} and {@code stat} say exactly what the JDK's attribute view says. */
class NativeExamineTest {

    @TempDir
    Path dir;

    @Test
    void nativeLstatAgreesWithTheJdkForEveryKindOfPath() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "123\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2001-02-03T04:05:06.789123456Z")));
        if (((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0) {
            Files.setAttribute(file, "unix:uid", 65534); // owned by somebody else: st_uid is read, not assumed
            Files.setAttribute(file, "unix:gid", 65533);
        }
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path socket = dir.resolve("socket");
        try (ServerSocketChannel ch = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
            List<Path> paths = List.of(file, sub, link, dangling, fifo, socket, Path.of("/dev/null"), dir,
                    dir.resolve("absent"), dir.resolve("absent/below"));
            for (LockBackend b : List.of(new OfdFlockBackend(), new OfdBackend(), new FlockBackend(),
                    new PosixBackend())) {
                assertTrue(b.isAvailable(), b.id());
                for (Path p : paths) {
                    assertEquals(PathFacts.read(p), b.store().examine(p), () -> b.id() + " examine " + p);
                    assertEquals(PathFacts.readFollowing(p), b.store().examineFollowing(p),
                            () -> b.id() + " examineFollowing " + p);
                }
            }
        }
        assertTrue(PathFacts.read(file).orElseThrow().modifiedNanos() % 1_000_000_000L == 789_123_456L);
    }
}
