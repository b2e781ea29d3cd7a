package dev.pidlock.fcntl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.PidLock;
import dev.pidlock.testkit.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop of the native backends with independent lockers, all of them real processes: util-linux
 * {@code flock(1)} and {@code python3}'s standard {@code fcntl} module in three modes (see
 * {@code src/test/resources/peers/peer.py}). For every backend and every peer, both directions are tried on a
 * fresh pidfile: pidlock (in a child JVM) holds and the peer tries, then the peer holds and pidlock (in this JVM)
 * tries. The observed conflict matrix must be the table of PRODUCT.md §3, the cells where nothing conflicts
 * included. (That each backend excludes the peers its capabilities name, with a control after the release, is
 * the kit's: {@code ExclusionCases#flockUsersAreExcludedBothWays} and {@code #fcntlUsersAreExcludedBothWays}.)
 *
 * <p>No sleeps: every step waits for the other process's line ({@code ACQUIRED}, {@code HELD}, {@code REFUSED});
 * {@link ChildProcess#PATIENCE} only keeps a broken run from hanging.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class InteropMatrixTest {

    /** The backends of this module, in the order of the table. {@code nio} is not on this module's path. */
    static final List<String> BACKENDS = List.of("ofd", "posix", "flock", "ofd+flock");

    static final Path PEER_SCRIPT = Path.of("src/test/resources/peers/peer.py").toAbsolutePath();

    /** The two families of kernel locks on Linux; locks of different families never conflict. */
    enum Family { FLOCK, FCNTL }

    /** An independent locker. */
    enum Peer {
        FLOCK1("flock(1)", Family.FLOCK, 3),
        PY_FLOCK("py-flock", Family.FLOCK, 1),
        PY_LOCKF("py-lockf", Family.FCNTL, 1),
        PY_OFD("py-ofd", Family.FCNTL, 1);

        final String label;
        final Family family;
        /** The exit status with which this peer says it was refused. */
        final int refusedStatus;

        Peer(String label, Family family, int refusedStatus) {
            this.label = label;
            this.family = family;
            this.refusedStatus = refusedStatus;
        }

        /** @return a command that prints {@code HELD} and holds until its stdin ends, or prints {@code REFUSED} */
        List<String> command(Path pidfile) {
            return switch (this) {
                // flock(1) says nothing when refused: the shell around it prints REFUSED and passes its status on.
                // --no-fork: the command runs in flock's own process, which holds the lock. `read` fails at end
                // of input: `|| :` makes a normal release exit 0.
                case FLOCK1 -> List.of("/bin/sh", "-c",
                        "flock --nonblock --conflict-exit-code 3 --no-fork \"$1\" /bin/sh -c 'echo HELD; read line || :';"
                                + " status=$?; if [ $status -eq 3 ]; then echo REFUSED; fi; exit $status",
                        "sh", pidfile.toString());
                case PY_FLOCK -> python("flock", pidfile);
                case PY_LOCKF -> python("lockf", pidfile);
                case PY_OFD -> python("ofd", pidfile);
            };
        }

        private static List<String> python(String mode, Path pidfile) {
            return List.of("python3", "-I", PEER_SCRIPT.toString(), mode, pidfile.toString());
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Who holds first. */
    enum Direction {
        /** pidlock holds, the peer tries. */
        PIDLOCK_HOLDS("B→P"),
        /** the peer holds, pidlock tries. */
        PEER_HOLDS("P→B");

        final String label;

        Direction(String label) {
            this.label = label;
        }
    }

    /** One cell of the matrix. */
    record Cell(String backend, Peer peer, Direction direction) {
        @Override
        public String toString() {
            return direction == Direction.PIDLOCK_HOLDS ? backend + " holds, " + peer + " tries"
                    : peer + " holds, " + backend + " tries";
        }
    }

    /** Which cells conflict: true = the one who tried second was refused. Shows itself as a table. */
    record Matrix(Map<Cell, Boolean> cells) {
        Matrix {
            cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
        }

        @Override
        public String toString() {
            return "\n" + render(cells);
        }
    }

    @TempDir
    Path dir;

    private final List<ChildProcess> started = new ArrayList<>();
    private int cells;

    @BeforeAll
    static void linuxWithPeers() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "OFD locks and the expected table are Linux's");
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("aarch64"), "peer.py declares struct flock for x86-64/aarch64");
        assertTrue(Files.isRegularFile(PEER_SCRIPT), "missing " + PEER_SCRIPT);
    }

    @AfterEach
    void stopEverything() {
        for (ChildProcess c : started) {
            stop(c);
        }
        started.clear();
    }

    // ---------------------------------------------------------------- the matrix

    /**
     * PRODUCT.md §3 on Linux: which peers each backend conflicts with, in both directions. A peer of the other
     * family that holds first refuses every backend (pidlock looks in /proc/locks); one that comes second is
     * refused only by a backend of its family.
     */
    static Matrix expectedMatrix() {
        Map<Cell, Boolean> m = new LinkedHashMap<>();
        for (String backend : BACKENDS) {
            Set<Family> families = switch (backend) {
                case "ofd", "posix" -> EnumSet.of(Family.FCNTL);
                case "flock" -> EnumSet.of(Family.FLOCK);
                case "ofd+flock" -> EnumSet.allOf(Family.class);
                default -> throw new IllegalArgumentException(backend);
            };
            for (Peer peer : Peer.values()) {
                for (Direction d : Direction.values()) {
                    // a backend of one family refuses when it finds the other family's lock on the file
                    m.put(new Cell(backend, peer, d), d == Direction.PEER_HOLDS || families.contains(peer.family));
                }
            }
        }
        return new Matrix(m);
    }

    @Test
    void conflictMatrixIsTheProductTable() throws IOException {
        Matrix expected = expectedMatrix();
        Map<Cell, Boolean> cells = new LinkedHashMap<>();
        for (Cell cell : expected.cells().keySet()) {
            Path pidfile = freshPidfile(cell);
            cells.put(cell, cell.direction() == Direction.PIDLOCK_HOLDS
                    ? peerRefusedWhilePidlockHolds(cell.backend(), cell.peer(), pidfile)
                    : pidlockRefusedWhilePeerHolds(cell.backend(), cell.peer(), pidfile));
        }
        Matrix observed = new Matrix(cells);
        System.out.println("Interop conflict matrix, expected (PRODUCT.md §3):\n" + render(expected.cells()));
        System.out.println("Interop conflict matrix, observed:\n" + render(observed.cells()));
        List<String> differences = new ArrayList<>();
        expected.cells().forEach((cell, refused) -> {
            if (!refused.equals(observed.cells().get(cell))) {
                differences.add(cell + ": expected " + word(refused) + ", observed "
                        + word(observed.cells().get(cell)));
            }
        });
        assertEquals(expected, observed, () -> "the interop matrix differs from PRODUCT.md §3 in "
                + differences.size() + " cell(s):\n  " + String.join("\n  ", differences) + "\n");
    }

    /** Direction 1: pidlock holds the pidfile in a child JVM; does the peer get refused? */
    private boolean peerRefusedWhilePidlockHolds(String backend, Peer peer, Path pidfile) throws IOException {
        ChildProcess holder = track(ChildProcess.lockChild("acquire", pidfile.toString(), backend));
        try {
            holder.expect("ACQUIRED ");
            assertTrue(Files.isRegularFile(pidfile), pidfile + " is not a regular file while " + backend + " holds it");
            boolean refused = peerTries(peer, pidfile);
            holder.send("release");
            holder.expect("RELEASED");
            holder.closeStdin();
            assertEquals(0, holder.waitFor(), () -> "lock child exit status; stderr:\n" + holder.stderr());
            return refused;
        } finally {
            stop(holder);
        }
    }

    /** Direction 2: the peer holds; does pidlock in this JVM get refused? */
    private boolean pidlockRefusedWhilePeerHolds(String backend, Peer peer, Path pidfile) throws IOException {
        ChildProcess holder = peerHolds(peer, pidfile);
        try {
            try (PidLock lock = PidLock.at(pidfile).backend(backend).acquire()) {
                assertEquals(backend, lock.backend());
                return false;
            } catch (AlreadyLockedException e) {
                // the lock itself refused: any other conflict (a live pid in the file) would be a broken test
                return true;
            }
        } finally {
            release(holder);
        }
    }

    // ---------------------------------------------------------------- the peers agree among themselves

    /** A control for the matrix: the peers alone show the two families (flock vs fcntl) the table relies on. */
    @Test
    void peersConflictWithinTheirFamilyOnly() throws IOException {
        Map<String, Boolean> expected = new LinkedHashMap<>();
        Map<String, Boolean> observed = new LinkedHashMap<>();
        for (Peer first : Peer.values()) {
            for (Peer second : Peer.values()) {
                String key = first + " holds, " + second + " tries";
                Path pidfile = dir.resolve("peers-" + first.name().toLowerCase(Locale.ROOT) + "-"
                        + second.name().toLowerCase(Locale.ROOT) + ".pid");
                ChildProcess holder = peerHolds(first, pidfile);
                try {
                    observed.put(key, peerTries(second, pidfile));
                } finally {
                    release(holder);
                }
                expected.put(key, first.family == second.family);
            }
        }
        assertEquals(expected, observed);
    }

    // ---------------------------------------------------------------- helpers

    /** Starts {@code peer} on {@code pidfile} and waits until it says it holds the lock. */
    private ChildProcess peerHolds(Peer peer, Path pidfile) throws IOException {
        ChildProcess p = track(ChildProcess.start(dir, peer.command(pidfile)));
        try {
            p.expect("HELD");
        } catch (AssertionError | RuntimeException e) {
            stop(p);
            throw e;
        }
        return p;
    }

    /**
     * Starts {@code peer} on {@code pidfile}, waits for its verdict and lets it go.
     *
     * @return true when it was refused
     */
    private boolean peerTries(Peer peer, Path pidfile) throws IOException {
        ChildProcess p = track(ChildProcess.start(dir, peer.command(pidfile)));
        try {
            String verdict = p.nextLine();
            switch (verdict) {
                case "HELD" -> {
                    release(p);
                    return false;
                }
                case "REFUSED" -> {
                    int status = p.waitFor();
                    assertEquals(peer.refusedStatus, status, () -> peer + " said REFUSED; stderr:\n" + p.stderr());
                    return true;
                }
                default -> {
                    fail(peer + " on " + pidfile + " said \"" + verdict + "\"; stderr:\n" + p.stderr());
                    return false;
                }
            }
        } finally {
            stop(p);
        }
    }

    /** Ends a holding peer the way it is meant to end: its stdin closes, it unlocks and exits 0. */
    private static void release(ChildProcess holder) {
        try {
            holder.closeStdin();
            int status = holder.waitFor();
            assertEquals(0, status, () -> "peer exit status; stderr:\n" + holder.stderr());
        } finally {
            stop(holder);
        }
    }

    /** Kills {@code child} and anything it started, if still alive. */
    private static void stop(ChildProcess child) {
        child.closeStdin();
        child.process().descendants().forEach(ProcessHandle::destroyForcibly);
        child.close();
    }

    private ChildProcess track(ChildProcess child) {
        started.add(child);
        return child;
    }

    private Path freshPidfile(Cell cell) {
        return dir.resolve(String.format(Locale.ROOT, "cell-%02d-%s-%s-%s.pid", ++cells,
                cell.backend().replace('+', '-'), cell.peer().name().toLowerCase(Locale.ROOT),
                cell.direction() == Direction.PIDLOCK_HOLDS ? "b-holds" : "p-holds"));
    }

    private static String word(Boolean refused) {
        return refused == null ? "nothing" : refused ? "refused" : "not refused";
    }

    /** A table: one row per backend, per peer "B→P P→B" (X = refused, . = got the lock too). */
    static String render(Map<Cell, Boolean> m) {
        StringBuilder sb = new StringBuilder();
        sb.append("B→P = pidlock backend holds, peer tries; P→B = peer holds, pidlock tries;")
                .append(" X = refused, . = not refused\n");
        sb.append(String.format(Locale.ROOT, "%-10s", "backend"));
        for (Peer p : Peer.values()) {
            sb.append(String.format(Locale.ROOT, " | %-9s", p));
        }
        sb.append('\n').append(String.format(Locale.ROOT, "%-10s", ""));
        for (int i = 0; i < Peer.values().length; i++) {
            sb.append(String.format(Locale.ROOT, " | %-4s%-5s", Direction.PIDLOCK_HOLDS.label,
                    Direction.PEER_HOLDS.label));
        }
        sb.append('\n').append("-".repeat(10));
        for (int i = 0; i < Peer.values().length; i++) {
            sb.append("-+-").append("-".repeat(9));
        }
        sb.append('\n');
        for (String backend : BACKENDS) {
            sb.append(String.format(Locale.ROOT, "%-10s", backend));
            for (Peer p : Peer.values()) {
                String first = mark(m.get(new Cell(backend, p, Direction.PIDLOCK_HOLDS)));
                String second = mark(m.get(new Cell(backend, p, Direction.PEER_HOLDS)));
                sb.append(String.format(Locale.ROOT, " | %-4s%-5s", first, second));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String mark(Boolean refused) {
        return refused == null ? "?" : refused ? " X" : " .";
    }
}
