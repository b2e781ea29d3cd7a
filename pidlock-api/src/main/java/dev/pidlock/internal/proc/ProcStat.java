package dev.pidlock.internal.proc;

import java.util.Optional;

/**
 * The fields of a {@code /proc/PID/stat} line that pidlock reads ({@code proc(5)}): a number the line does not
 * have, or has in a form that is not a number, is {@code -1}.
 *
 * @param pid        the process id (field 1)
 * @param command    the command name, without its parentheses (field 2); it may hold spaces and parentheses
 * @param state      the state letter: {@code R}, {@code S}, {@code D}, {@code Z}, {@code X}, … (field 3)
 * @param parent     the parent's pid (field 4)
 * @param flags      the kernel's task flags, {@code PF_*} (field 9)
 * @param userTicks  CPU time in user mode, in clock ticks (field 14)
 * @param systemTicks CPU time in kernel mode, in clock ticks (field 15)
 * @param startTicks when it started, in clock ticks after boot (field 22)
 * @param rssPages   resident set size in pages (field 24)
 * @param session    its session's id (field 6)
 */
public record ProcStat(long pid, String command, char state, long parent, long flags, long userTicks,
                       long systemTicks, long startTicks, long rssPages, long session) {

    /** The kernel's {@code PF_EXITING} task flag ({@code include/linux/sched.h}): the task has begun to exit. */
    public static final long PF_EXITING = 0x4;

    /**
     * @param line a line of {@code /proc/PID/stat}
     * @return its fields; empty when it has no command name in parentheses followed by a state
     */
    public static Optional<ProcStat> parse(String line) {
        // The command name may hold anything, ") " included: it ends at the last ')'.
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= line.length() || line.charAt(close + 1) != ' ') {
            return Optional.empty();
        }
        String[] rest = line.substring(close + 2).split(" ");
        // rest[0] is field 3, the state; rest[i] is field i + 3
        return Optional.of(new ProcStat(number(line.substring(0, open).trim()), line.substring(open + 1, close),
                line.charAt(close + 2), field(rest, 4), field(rest, 9), field(rest, 14), field(rest, 15),
                field(rest, 22), field(rest, 24), field(rest, 6)));
    }

    /**
     * Whether the process has exited or is exiting: {@linkplain #terminated() terminated}, or flagged
     * {@code PF_EXITING}. An exiting process runs no more code of its own, though
     * {@link ProcessHandle#isAlive()} says true and its state is not yet {@code Z}; but it may still hold its
     * files, and so its locks: the kernel frees its memory first (which takes a while for a large one) and
     * closes its files after. Use {@link #terminated()} to know that its locks are given up.
     *
     * @return whether the line says that the process is exiting or gone
     */
    public boolean exited() {
        return terminated() || flags >= 0 && (flags & PF_EXITING) != 0;
    }

    /**
     * Whether the process is a zombie ({@code Z}) or dead ({@code X}): it has closed all its files, so every
     * lock it held through its own descriptors is given up.
     *
     * @return whether the line says that the process has finished exiting
     */
    public boolean terminated() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    private static long field(String[] rest, int field) {
        int i = field - 3;
        return i < rest.length ? number(rest[i]) : -1;
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
