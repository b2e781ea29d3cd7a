package dev.pidlock.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** What {@code /proc} says about a process (Linux). */
final class Procs {

    private Procs() {
    }

    /**
     * @param pid a process
     * @return the fields of {@code /proc/PID/stat} after the command name: [0] is field 3 (state), [1] field 4
     *         (ppid), [3] field 6 (session), [19] field 22 (start time); empty when there is no such process
     */
    static Optional<String[]> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
            return Optional.of(s.substring(s.lastIndexOf(')') + 2).trim().split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return whether the process exists and has not exited: a zombie counts as gone */
    static boolean alive(long pid) {
        return stat(pid).map(f -> !f[0].equals("Z") && !f[0].equals("X")).orElse(false);
    }

    /** @return its parent's pid */
    static long ppid(long pid) {
        return Long.parseLong(field(pid, 1));
    }

    /** @return its session id (field 6 of {@code /proc/PID/stat}) */
    static long session(long pid) {
        return Long.parseLong(field(pid, 3));
    }

    private static String field(long pid, int index) {
        return stat(pid).orElseThrow(() -> new AssertionError("no process " + pid))[index];
    }

    /**
     * Whether the process is {@code sleep} asleep: its command name, and blocked in {@code nanosleep} or
     * {@code clock_nanosleep} ({@code /proc/PID/syscall}, x86-64 numbers 35 and 230), so past its start-up (which
     * opens locale files for a moment). Where the system call cannot be read, the process state S.
     */
    static boolean sleepAsleep(long pid) {
        if (!comm(pid).equals("sleep")) {
            return false;
        }
        try {
            String call = Files.readString(Path.of("/proc/" + pid + "/syscall"), StandardCharsets.UTF_8).trim();
            String number = call.split(" ")[0];
            return number.equals("35") || number.equals("230");
        } catch (IOException | RuntimeException e) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.UTF_8);
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'S';
            } catch (IOException gone) {
                return false;
            }
        }
    }

    /** @return its command name ({@code /proc/PID/comm}) */
    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new AssertionError("no process " + pid, e);
        }
    }

    /**
     * @param pid  a process
     * @param name a field of {@code /proc/PID/status}, for example {@code SigBlk}
     * @return its value
     */
    static String status(long pid, String name) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith(name + ":"))
                    .map(l -> l.substring(name.length() + 1).trim())
                    .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /proc/" + pid + "/status"));
        } catch (IOException e) {
            throw new AssertionError("no process " + pid, e);
        }
    }

    /** @return its open descriptors and what each names */
    static TreeMap<Integer, String> fds(long pid) {
        TreeMap<Integer, String> fds = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : dir) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (NoSuchFileException closedMeanwhile) {
                    // not open any more
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /**
     * @param text a string
     * @return the pids of live processes whose command line contains it
     */
    static List<Long> withCommandLineContaining(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> {
                    try {
                        byte[] raw = Files.readAllBytes(Path.of("/proc/" + p.pid() + "/cmdline"));
                        return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').contains(text);
                    } catch (IOException | RuntimeException e) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid)
                .filter(Procs::alive)
                .toList();
    }

    /**
     * Sends a signal with {@code kill(1)}.
     *
     * @param pid    the process
     * @param signal its name without SIG
     */
    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -s " + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * @param pid a process
     * @return it, remembered with its start time so that a later kill cannot hit a reused pid
     */
    static Optional<Guarded> guard(long pid) {
        return stat(pid).map(f -> new Guarded(pid, f[19]));
    }

    /**
     * A process remembered with its start time.
     *
     * @param pid   the pid
     * @param start field 22 of its {@code /proc/PID/stat}
     */
    record Guarded(long pid, String start) {
        /** Kills it and its descendants with SIGKILL, if it is still the same process. */
        void killTree() {
            if (pid > 1 && stat(pid).map(f -> f[19].equals(start)).orElse(false)) {
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
        }
    }
}
