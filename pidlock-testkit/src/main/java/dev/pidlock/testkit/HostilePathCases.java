package dev.pidlock.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import dev.pidlock.UnsafePidFileException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Whatever is not a regular file at the pidfile path, generated: symlink chains to a file, a directory, a FIFO,
 * a socket, nowhere, or back to themselves; a directory; a FIFO; a UNIX socket; a device. Every way of
 * acquiring it is refused at once as unsafe with one line naming the path and what is there, inspecting it
 * says unknown, and before and after every case the whole test directory (names, types, inodes, modes,
 * owners, sizes, mtimes, content hashes, a sentinel file beside the pidfile) is the same. A topic of
 * {@link HostileInputTorture}.
 *
 * <p>Examples per run: {@link TortureSettings#size(int, int) size(25, 250)} unsafe paths; the test prints one
 * {@code TORTURE suite=hostile-paths} line and a {@code HOSTILE paths} line of details.
 *
 * @since 0.1
 */
public abstract class HostilePathCases extends HostileInputCase {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostilePathCases() {
    }

    /** What is at the pidfile path. */
    enum Occupant {
        /** A chain of symlinks ending at {@link Case#end()}. */
        SYMLINKS("symbolic link"),
        /** A directory, empty or not. */
        DIRECTORY("directory"),
        /** A named pipe nobody writes to: opening it for reading would block. */
        FIFO("FIFO"),
        /** A bound, listening UNIX domain socket. */
        SOCKET("socket"),
        /** The null character device (made only as root). */
        DEVICE("device");

        final String word;

        Occupant(String word) {
            this.word = word;
        }
    }

    /** Where a chain of symlinks ends. */
    enum End {
        /** A regular file, with content and an old mtime that must survive. */
        FILE,
        /** A directory. */
        DIRECTORY,
        /** A FIFO. */
        FIFO,
        /** A listening socket. */
        SOCKET,
        /** Nothing: a dangling link, whose target must not be created. */
        NOWHERE,
        /** Back to the pidfile path: a loop. */
        LOOP
    }

    /** How the path is approached. */
    enum Operation {
        /** {@code acquire()}. */
        ACQUIRE,
        /** {@code tryAcquire()}: an unsafe path is an error, not "somebody holds it". */
        TRY_ACQUIRE,
        /** {@code acquire(200 ms)}: refused at once, not after waiting. */
        ACQUIRE_WAITING,
        /** {@code named("app").directory(dir).acquire()}, which names the same path. */
        NAMED,
        /** {@code inspect()}: unknown, naming the kind of file. */
        INSPECT
    }

    /**
     * One generated unsafe path.
     *
     * @param occupant what is at the path
     * @param chain    how many symlinks (for {@link Occupant#SYMLINKS}); for a directory, whether it has a file
     * @param end      where a chain ends
     * @param relative whether symlinks point by relative names
     * @param op       how the path is approached
     */
    record Case(Occupant occupant, int chain, End end, boolean relative, Operation op) {
    }

    private static Gen<Case> unsafeCases() {
        Gen<Occupant> occupants = Generate.frequency(List.of(Pair.of(6, Generate.constant(Occupant.SYMLINKS)),
                Pair.of(2, Generate.constant(Occupant.DIRECTORY)), Pair.of(2, Generate.constant(Occupant.FIFO)),
                Pair.of(2, Generate.constant(Occupant.SOCKET)), Pair.of(1, Generate.constant(Occupant.DEVICE))));
        return occupants.zip(integers().between(1, 8), Generate.enumValues(End.class), booleans().all(),
                Generate.enumValues(Operation.class), Case::new);
    }

    /**
     * Whatever is at the pidfile path if not a regular file — a symlink (to a file, a chain, a directory, a
     * FIFO, a socket, nowhere, itself), a directory, a FIFO, a socket, a device — every way of acquiring it is
     * refused at once with {@link UnsafePidFileException} naming the path and what is there, and inspecting
     * it says unknown. Nothing is created, nothing changes: not a symlink's target (content, mtime), not
     * the sentinel beside it.
     *
     * @throws IOException when the directory cannot be set up
     */
    @Test
    void anythingButARegularFileAtThePathIsRefusedAndLeftAlone() throws IOException {
        Path area = Files.createDirectory(dir.resolve("area"));
        AtomicLong violations = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        Map<Occupant, Integer> seen = new EnumMap<>(Occupant.class);
        try {
            qt().withExamples(TortureSettings.size(25, 250)).withShrinkCycles(30).forAll(unsafeCases())
                    .checkAssert(c -> guarded(rounds, violations, () -> {
                        if (checkUnsafe(area, c)) {
                            seen.merge(c.occupant(), 1, Integer::sum);
                        }
                    }, () -> deleteTree(area.resolve("case"))));
        } finally {
            TortureSettings.report("hostile-paths", backendId(), 1, rounds.get(), 0, violations.get());
            System.out.println("HOSTILE paths backend=" + backendId() + " occupants=" + seen);
        }
    }

    /** @return false when the case could not be set up here (a device node needs root) */
    private boolean checkUnsafe(Path area, Case c) throws Exception {
        Path caseDir = Files.createDirectory(area.resolve("case"));
        Path pidfile = caseDir.resolve("app.pid");
        sentinel(caseDir);
        Path targets = Files.createDirectory(caseDir.resolve("t"));
        Path precious = targets.resolve("precious.txt");
        Files.writeString(precious, "precious\n");
        Files.setLastModifiedTime(precious, LONG_AGO);
        Files.createDirectory(targets.resolve("dir"));
        sentinel(targets.resolve("dir"));
        List<ServerSocketChannel> sockets = new ArrayList<>();
        try {
            switch (c.occupant()) {
                case SYMLINKS -> {
                    Path end = switch (c.end()) {
                        case FILE -> precious;
                        case DIRECTORY -> targets.resolve("dir");
                        case FIFO -> mkfifo(targets.resolve("fifo"));
                        case SOCKET -> bind(targets.resolve("sock"), sockets);
                        case NOWHERE -> targets.resolve("nowhere");
                        case LOOP -> pidfile;
                    };
                    Path from = pidfile;
                    for (int i = 1; i < c.chain(); i++) {
                        Path next = caseDir.resolve("link" + i);
                        link(from, next, c.relative());
                        from = next;
                    }
                    link(from, end, c.relative());
                }
                case DIRECTORY -> {
                    Files.createDirectory(pidfile);
                    if (c.chain() % 2 == 0) {
                        sentinel(pidfile);
                    }
                }
                case FIFO -> mkfifo(pidfile);
                case SOCKET -> bind(pidfile, sockets);
                case DEVICE -> {
                    if (!Unprivileged.isRoot() || !run("mknod", pidfile.toString(), "c", "1", "3")) {
                        return false;
                    }
                }
            }
            String what = c + " at " + pidfile;
            TreeSnapshot before = TreeSnapshot.take(area);
            if (c.op() == Operation.INSPECT) {
                PidFileStatus status = Liveness.within("inspect", () -> PidLock.at(pidfile).backend(backendId())
                        .inspect());
                assertEquals(PidFileStatus.State.UNKNOWN, status.state(), status + " for " + what);
                assertTrue(status.detail().contains(c.occupant().word), status + " for " + what);
            } else {
                Object result;
                try {
                    result = Liveness.within(c.op().name(), () -> attempt(c.op(), pidfile, caseDir));
                } catch (UnsafePidFileException e) {
                    result = e;
                } catch (PidLockException e) {
                    throw new AssertionError("not refused as unsafe but " + e + " for " + what, e);
                }
                if (result instanceof PidLock lock) {
                    lock.close();
                }
                assertTrue(result instanceof UnsafePidFileException, "must be refused as unsafe, got " + result
                        + " for " + what);
                String m = ((UnsafePidFileException) result).getMessage();
                assertTrue(m.contains(pidfile.toString()) && m.contains(c.occupant().word) && !m.contains("\n"),
                        "one line naming the path and \"" + c.occupant().word + "\": " + m);
            }
            List<String> changes = TreeSnapshot.take(area).changesSince(before);
            assertTrue(changes.isEmpty(), "nothing may change: " + changes + " for " + what);
            return true;
        } finally {
            for (ServerSocketChannel s : sockets) {
                s.close();
            }
        }
    }

    private Object attempt(Operation op, Path pidfile, Path caseDir) throws InterruptedException {
        String id = backendId();
        return switch (op) {
            case ACQUIRE -> PidLock.at(pidfile).backend(id).acquire();
            case TRY_ACQUIRE -> PidLock.at(pidfile).backend(id).tryAcquire().map(Object.class::cast)
                    .orElse("tryAcquire said somebody holds it");
            case ACQUIRE_WAITING -> PidLock.at(pidfile).backend(id).acquire(Duration.ofMillis(200));
            case NAMED -> PidLock.named("app").directory(caseDir).backend(id).acquire();
            case INSPECT -> throw new IllegalArgumentException("inspect is not an acquisition");
        };
    }

    private static void link(Path link, Path target, boolean relative) throws IOException {
        Files.createSymbolicLink(link, relative ? link.getParent().relativize(target) : target);
    }

    private static Path mkfifo(Path p) throws IOException {
        if (!run("mkfifo", p.toString())) {
            throw new IOException("mkfifo " + p + " failed");
        }
        return p;
    }

    private static Path bind(Path p, List<ServerSocketChannel> sockets) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        sockets.add(s);
        s.bind(UnixDomainSocketAddress.of(p));
        return p;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
