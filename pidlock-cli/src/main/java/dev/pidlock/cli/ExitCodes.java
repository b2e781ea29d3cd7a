package dev.pidlock.cli;

/**
 * The exit codes of the {@code pidlock} command, documented in {@code pidlock --help} and the README. A
 * wrapped command's own status passes through {@code run} unchanged (128 + N when signal N killed it).
 */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;
    /** run: the lock is held or the pidfile names a running process; stop: the lock is still held; status: dead. */
    static final int CONFLICT = 1;
    /** status: not running (LSB). */
    static final int NOT_RUNNING = 3;
    /** status: unknown (LSB). */
    static final int UNKNOWN = 4;
    /** Bad usage: unknown option, malformed duration, missing command (sysexits EX_USAGE). */
    static final int USAGE = 64;
    /** Internal error (EX_SOFTWARE). */
    static final int SOFTWARE = 70;
    /**
     * The requested backend is unavailable, or none can lock; run: its lock cannot be inherited and
     * {@code --supervise} was not given (EX_UNAVAILABLE).
     */
    static final int UNAVAILABLE = 69;
    /** The pidfile cannot be created or opened safely: symlink, directory, FIFO, missing directory (EX_CANTCREAT). */
    static final int CANT_CREATE = 73;
    /** I/O error on the pidfile (EX_IOERR). */
    static final int IO_ERROR = 74;
    /** Permission denied, or refusing to signal an unverified process (EX_NOPERM). */
    static final int NO_PERMISSION = 77;
    /** EX_TEMPFAIL: a leased lock (etcd) was lost while CMD ran; CMD got {@code --lost-signal}. */
    static final int LOCK_LOST = 75;
    /** The command was found but cannot be executed (shell convention). */
    static final int NOT_EXECUTABLE = 126;
    /** The command was not found (shell convention). */
    static final int NOT_FOUND = 127;

    private ExitCodes() {
    }

    /** The table printed at the end of {@code pidlock --help}. */
    static final String TABLE = "Exit codes:%n"
            + "  run      the command's status; 128+N if signal N killed it; 1 on conflict%n"
            + "           (locked or already running; see --conflict-exit-code); 75 lock%n"
            + "           lost while the command ran (leased backends: etcd)%n"
            + "  start    0 started or already running; the command's status (1 if 0) on early death%n"
            + "  stop     0 stopped or not running (a pidfile it cannot remove stays, with a%n"
            + "           warning); 1 the lock is still held; 4 cannot tell (as status);%n"
            + "           77 refusing an unverified process%n"
            + "  status   0 running; 1 dead but pidfile exists; 3 not running; 4 unknown%n"
            + "           (also a pid that exists but /proc hides: hidepid)%n"
            + "  any      64 usage error; 69 backend unavailable (run: or not inheritable,%n"
            + "           without --supervise); 70 internal error;%n"
            + "           73 pidfile cannot be created or opened safely; 74 I/O error;%n"
            + "           77 permission denied or unverified process; 126 command not executable;%n"
            + "           127 command not found";
}
