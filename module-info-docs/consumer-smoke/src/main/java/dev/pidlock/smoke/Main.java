package dev.pidlock.smoke;

import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Acquires and releases a pidfile in a directory with each backend named, and says how it went, one line each:
 *
 * <pre>
 * MODE module|class-path
 * DEFAULT ID             (the backend a builder takes when not told: the system property, else auto)
 * ACQUIRED ID module=MODULE priority=N capabilities=A,B,… pid=PID
 * RELEASED ID removed=true|false
 * FAILED ID ExceptionName: message
 * </pre>
 *
 * Exits 0 when every backend acquired, 1 when one did not, 64 on a usage error.
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args a directory for the pidfiles, then backend ids
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: Main DIRECTORY BACKEND...");
            System.exit(64);
        }
        Path dir = Path.of(args[0]);
        System.out.println("MODE " + (Main.class.getModule().isNamed() ? "module" : "class-path"));
        System.out.println("DEFAULT " + PidLock.at(dir.resolve("smoke-default.pid")).selectedBackend().id());
        int failed = 0;
        for (int i = 1; i < args.length; i++) {
            String id = args[i];
            Path pidfile = dir.resolve("smoke-" + id.replaceAll("[^A-Za-z0-9]", "_") + ".pid");
            try {
                PidLock.Builder builder = PidLock.at(pidfile).backend(id);
                BackendInfo info = builder.selectedBackend();
                try (PidLock lock = builder.acquire()) {
                    System.out.println("ACQUIRED " + id + " module=" + info.module().replace(' ', '_')
                            + " priority=" + info.priority() + " capabilities="
                            + info.capabilities().stream().map(Enum::name).sorted().collect(Collectors.joining(","))
                            + " pid=" + lock.pid());
                }
                System.out.println("RELEASED " + id + " removed=" + !Files.exists(pidfile, LinkOption.NOFOLLOW_LINKS));
            } catch (PidLockException e) {
                failed++;
                System.out.println("FAILED " + id + " " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
