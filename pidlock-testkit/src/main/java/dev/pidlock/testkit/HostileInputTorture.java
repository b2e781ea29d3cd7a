package dev.pidlock.testkit;

import org.junit.jupiter.api.Nested;

/**
 * Hostile input, generated: pidfile contents (any bytes up to 1 MiB, and sparse files of 2 GiB and 1 TiB),
 * lock names (any Unicode, slashes, NUL, dots, empty, longer than a file name may be), whatever is not a
 * regular file at the pidfile path (symlink chains to a file, a directory, a FIFO, a socket, nowhere, or
 * back to themselves; a directory; a FIFO; a UNIX socket; a device), and, when the suite runs as root, an
 * acquirer running as user {@code nobody} facing an unwritable directory, a pidfile owned by root, and a
 * world-writable directory without the sticky bit. Each gets a clean takeover or one clear error, never a
 * hang, never an undocumented exception; and before and after every case the whole test directory (names,
 * types, inodes, modes, owners, sizes, mtimes, content hashes, a sentinel file beside the pidfile) is
 * compared: nothing but the pidfile may change.
 *
 * <p>A backend module subclasses it and names its backend id:
 *
 * <pre>{@code
 * class NioHostileInputTortureTest extends HostileInputTorture {
 *     @Override protected String backendId() { return "nio"; }
 * }
 * }</pre>
 *
 * <p>It runs each topic as a {@link Nested} group: {@link HostileContentCases},
 * {@link HostileNameCases}, {@link HostilePathCases} and {@link UnprivilegedCases}. A backend module that wants
 * one topic alone subclasses that class the same way.
 *
 * <p>Examples per run: six fixed corners and {@link TortureSettings#size(int, int) size(40, 400)} generated
 * contents, {@code size(40, 400)} names, {@code size(25, 250)} unsafe paths; each test prints one
 * {@code TORTURE suite=hostile-…} line and a {@code HOSTILE …} line of details.
 *
 * @since 0.1
 */
public abstract class HostileInputTorture {

    /**
     * For subclasses, which name the backend.
     *
     * @since 0.1
     */
    protected HostileInputTorture() {
    }

    /**
     * @return the id of the backend under test
     * @since 0.1
     */
    protected abstract String backendId();

    /** {@link HostileContentCases} for the backend under test. */
    @Nested
    class Contents extends HostileContentCases {
        @Override
        protected String backendId() {
            return HostileInputTorture.this.backendId();
        }
    }

    /** {@link HostileNameCases} for the backend under test. */
    @Nested
    class Names extends HostileNameCases {
        @Override
        protected String backendId() {
            return HostileInputTorture.this.backendId();
        }
    }

    /** {@link HostilePathCases} for the backend under test. */
    @Nested
    class Paths extends HostilePathCases {
        @Override
        protected String backendId() {
            return HostileInputTorture.this.backendId();
        }
    }

    /** {@link UnprivilegedCases} for the backend under test. */
    @Nested
    class UnprivilegedAcquirer extends UnprivilegedCases {
        @Override
        protected String backendId() {
            return HostileInputTorture.this.backendId();
        }
    }
}
