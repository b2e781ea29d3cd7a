package dev.pidlock.spi;

import java.time.Instant;
import java.util.Optional;

/** What the built-in detectors need to know about a pid; replaced in tests. */
interface ProcessLookup {

    /** Facts about a live process: start and command line when readable. */
    record Seen(Optional<Instant> start, Optional<String> commandLine, Optional<String> executable) {
    }

    /**
     * @param pid a process
     * @return whether it has exited and waits to be reaped ({@code Z} in {@code /proc/PID/stat}); such a
     *         process holds no lock and runs no code, though {@link ProcessHandle#isAlive()} says true
     */
    static boolean isZombie(long pid) {
        try {
            String stat = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/stat")).get(0);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * @param pid a process
     * @return whether it has exited or is exiting: a zombie, dead, or flagged {@code PF_EXITING} (0x4) in
     *         {@code /proc/PID/stat}. A killed process gives its locks up while it exits, before it turns zombie;
     *         in that window it runs no more code either. (The same as {@code ProcFs.hasExited}, which this
     *         package may not use.)
     */
    static boolean hasExited(long pid) {
        java.nio.file.Path dir = java.nio.file.Path.of("/proc/" + pid);
        String stat;
        try {
            stat = java.nio.file.Files.readAllLines(dir.resolve("stat")).get(0);
        } catch (java.io.IOException | RuntimeException e) {
            // ENOENT, or ESRCH while the process is being reaped: gone if /proc is there and its entry is not
            return java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self"))
                    && !java.nio.file.Files.exists(dir);
        }
        int close = stat.lastIndexOf(')');
        char state = close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
        if (state == 'Z' || state == 'X' || state == 'x') {
            return true;
        }
        String[] fields = stat.substring(close + 1).trim().split(" ");
        try {
            return fields.length > 6 && (Long.parseLong(fields[6]) & 0x4) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** @return the process, or empty when no process has that pid */
    Optional<Seen> find(long pid);

    ProcessLookup SYSTEM = pid -> ProcessHandle.of(pid)
            .filter(ProcessHandle::isAlive)
            .filter(p -> !hasExited(p.pid()))
            .map(p -> {
                ProcessHandle.Info info = p.info();
                return new Seen(info.startInstant(), info.commandLine(), info.command());
            });
}
