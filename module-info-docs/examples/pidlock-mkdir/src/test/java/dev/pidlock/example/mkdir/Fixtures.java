package dev.pidlock.example.mkdir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Lock directories made by hand, as other processes, hosts and boots would have left them. */
final class Fixtures {
    private Fixtures() {
    }

    /** @return the lock directory of {@code pidfile} */
    static Path lockDir(Path pidfile) {
        return LockDirectory.beside(pidfile).path();
    }

    /** @return an owner on this host, boot and pid namespace */
    static OwnerRecord local(long pid, Instant created) {
        ThisHost me = ThisHost.get();
        return new OwnerRecord(OwnerRecord.newNonce(), pid, created, me.boot(), me.pidNamespace(), me.host());
    }

    /** Puts a lock directory owned by {@code owner} at {@code pidfile}'s lock path, as its taker would. */
    static Path plant(Path pidfile, OwnerRecord owner) throws IOException {
        Path staging = pidfile.resolveSibling("planted." + owner.nonce());
        Files.createDirectory(staging);
        Files.createFile(staging.resolve(owner.fileName()));
        return Files.move(staging, lockDir(pidfile), StandardCopyOption.ATOMIC_MOVE);
    }

    /** @return the names in a directory, sorted; empty when it does not exist */
    static List<String> entries(Path directory) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** @return the owner of {@code pidfile}'s lock directory; fails unless there is exactly one */
    static OwnerRecord owner(Path pidfile) throws IOException {
        List<String> names = entries(lockDir(pidfile));
        if (names.size() != 1) {
            throw new AssertionError("expected one owner entry in " + lockDir(pidfile) + ", found " + names);
        }
        return OwnerRecord.parse(names.get(0))
                .orElseThrow(() -> new AssertionError("not an owner entry: " + names.get(0)));
    }
}
