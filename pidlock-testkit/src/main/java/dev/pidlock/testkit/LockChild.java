package dev.pidlock.testkit;

import dev.pidlock.AlreadyLockedException;
import dev.pidlock.AlreadyRunningException;
import dev.pidlock.BackendInfo;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockConflictException;
import dev.pidlock.PidLockException;
import dev.pidlock.spi.ReleaseAction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The program a child JVM runs in the kit's multi-process tests. It acquires a pidfile as told, reports on
 * stdout in single lines, then obeys commands read from stdin.
 *
 * <pre>
 * acquire PATH BACKEND [wait=MS] [release=DELETE|TRUNCATE|KEEP] [mode=rw-r-----] [or-exit] [announce]
 * backends
 * </pre>
 *
 * With {@code announce}, the child says {@code WAITING tid} (the Linux thread id of the acquiring thread, from
 * {@code /proc/thread-self}, or {@code -}) just before it acquires.
 *
 * Reports: {@code ACQUIRED pid}, {@code CONFLICT locked|running holderPid message}, {@code ERROR class message}.
 * Commands: {@code release}, {@code again} (acquires once more in this JVM, with the same builder, without waiting;
 * reports as above), {@code inspect} (with the same backend; answers
 * {@code STATUS state pid|- LOCKED|UNLOCKED|UNKNOWN}), {@code exit N} (runs shutdown hooks), {@code halt N}
 * (does not); end of input exits with status 0.
 *
 * @since 0.1
 */
public final class LockChild {
    private LockChild() {
    }

    /**
     * @param args as described above
     * @throws IOException when stdin cannot be read
     * @since 0.1
     */
    public static void main(String[] args) throws IOException {
        if (args.length >= 1 && args[0].equals("backends")) {
            for (BackendInfo b : PidLock.backends()) {
                System.out.println("BACKEND " + b.id() + " " + b.available() + " " + b.module().replace(' ', '_'));
            }
            System.out.flush();
            return;
        }
        if (args.length < 3 || !args[0].equals("acquire")) {
            System.err.println("usage: acquire PATH BACKEND [wait=MS] [release=ACTION] [mode=MODE] [or-exit]"
                    + " | backends");
            System.exit(64);
        }
        PidLock.Builder builder = PidLock.at(Path.of(args[1])).backend(args[2]);
        Duration wait = null;
        boolean orExit = false;
        boolean announce = false;
        for (int i = 3; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("wait=")) {
                wait = Duration.ofMillis(Long.parseLong(a.substring(5)));
            } else if (a.startsWith("release=")) {
                builder.onRelease(ReleaseAction.valueOf(a.substring(8)));
            } else if (a.startsWith("mode=")) {
                builder.fileMode(a.substring(5));
            } else if (a.equals("or-exit")) {
                orExit = true;
            } else if (a.equals("announce")) {
                announce = true;
            } else {
                System.err.println("unknown option " + a);
                System.exit(64);
            }
        }
        PidLock lock = null;
        if (announce) {
            say("WAITING " + threadId());
        }
        try {
            lock = orExit ? builder.acquireOrExit() : wait == null ? builder.acquire() : builder.acquire(wait);
            say("ACQUIRED " + ProcessHandle.current().pid());
        } catch (PidLockConflictException e) {
            String kind = e instanceof AlreadyLockedException ? "locked"
                    : e instanceof AlreadyRunningException ? "running" : "conflict";
            say("CONFLICT " + kind + " " + (e.holderPid().isPresent() ? e.holderPid().getAsLong() : "-") + " "
                    + e.getMessage());
        } catch (PidLockException e) {
            say("ERROR " + e.getClass().getSimpleName() + " " + e.getMessage());
        } catch (InterruptedException e) {
            say("ERROR interrupted");
        }
        obey(lock, builder, Path.of(args[1]), args[2]);
    }

    private static void obey(PidLock first, PidLock.Builder builder, Path path, String backend) throws IOException {
        PidLock lock = first;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "release" -> {
                    Optional.ofNullable(lock).ifPresent(PidLock::close);
                    say("RELEASED");
                }
                case "again" -> {
                    try {
                        lock = builder.acquire();
                        say("ACQUIRED " + ProcessHandle.current().pid());
                    } catch (PidLockConflictException e) {
                        say("CONFLICT " + (e.holderPid().isPresent() ? e.holderPid().getAsLong() : "-") + " "
                                + e.getMessage());
                    } catch (PidLockException e) {
                        say("ERROR " + e.getClass().getSimpleName() + " " + e.getMessage());
                    }
                }
                case "inspect" -> {
                    PidFileStatus s = PidLock.at(path).backend(backend).inspect();
                    say("STATUS " + s.state() + " " + (s.pid().isPresent() ? s.pid().getAsLong() : "-") + " "
                            + s.lock());
                }
                case "exit" -> System.exit(words.length > 1 ? Integer.parseInt(words[1]) : 0);
                case "halt" -> Runtime.getRuntime().halt(words.length > 1 ? Integer.parseInt(words[1]) : 0);
                case "" -> { }
                default -> say("ERROR unknown command " + words[0]);
            }
        }
        System.exit(0);
    }

    /** @return this thread's Linux thread id, or {@code -} */
    private static String threadId() {
        try {
            return Path.of("/proc/thread-self").toRealPath().getFileName().toString();
        } catch (IOException e) {
            return "-";
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
