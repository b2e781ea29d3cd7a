package dev.pidlock.testkit;

import dev.pidlock.PidFileAccessException;
import dev.pidlock.PidLock;
import dev.pidlock.PidLockException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * The program a child JVM runs for {@link UnprivilegedCases}: tries to acquire
 * each path in turn with one backend, releases what it got, and reports one line per path on stdout.
 *
 * <pre>
 * BACKEND PATH...
 * </pre>
 *
 * Reports: {@code WHOAMI uid}, then per path {@code RESULT i ACQUIRED pid uid mode} (the pidfile's owner and
 * octal mode while held), {@code RESULT i ERROR SimpleName errno|- lines=N message} for a pidlock exception,
 * {@code RESULT i CRASH ClassName - lines=N message} for anything else, and {@code DONE} at the end.
 */
final class AttemptChild {
    private AttemptChild() {
    }

    /**
     * @param args the backend id, then the paths
     * @throws IOException when {@code /proc/self} cannot be read
     */
    public static void main(String[] args) throws IOException {
        say("WHOAMI " + Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        for (int i = 1; i < args.length; i++) {
            Path path = Path.of(args[i]);
            try (PidLock lock = PidLock.at(path).backend(args[0]).acquire()) {
                Map<String, Object> a = Files.readAttributes(path, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
                say("RESULT " + i + " ACQUIRED " + lock.pid() + " " + a.get("uid") + " "
                        + Integer.toOctalString(((Number) a.get("mode")).intValue() & 07777));
            } catch (PidLockException e) {
                String errno = e instanceof PidFileAccessException f ? f.errno().orElse("-") : "-";
                say("RESULT " + i + " ERROR " + e.getClass().getSimpleName() + " " + errno + " "
                        + oneLine(e.getMessage()));
            } catch (RuntimeException | IOException e) {
                say("RESULT " + i + " CRASH " + e.getClass().getName() + " - " + oneLine(e.getMessage()));
            }
        }
        say("DONE");
    }

    private static String oneLine(String message) {
        String m = String.valueOf(message);
        return "lines=" + m.lines().count() + " " + m.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
