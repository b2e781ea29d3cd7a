package dev.pidlock.fcntl.spawn;

import com.sun.jna.Memory;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The child JVM of {@link ExecTest}: opens stray inheritable descriptors and a lock descriptor, ignores
 * SIGTTOU (its threads block SIGQUIT already), then {@link Spawn#exec}s {@code sleep 60}, which the test
 * inspects through {@code /proc} (a shell reporting on itself would race with its own signal blocking around
 * fork). Arguments: {@code exec | exec-fallback | missing} and a directory.
 */
public final class ExecMain {
    private static final int SIGTTOU = 22;

    private ExecMain() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        int stray = ProcFs.openInheritable(dir.resolve("stray"));
        int lock = ProcFs.dupAtLeast(ProcFs.openInheritable(dir.resolve("pidfile")), 40);
        int strayAbove = ProcFs.dupAtLeast(stray, 60);
        try (FileInputStream javaStream = new FileInputStream(dir.resolve("stray").toFile());
             Memory ignore = new Memory(256)) {
            ignore.clear();
            ignore.setLong(0, 1); // SIG_IGN
            if (TestLibc.sigaction(SIGTTOU, ignore, null) != 0) {
                throw new AssertionError("sigaction");
            }
            System.out.println("lock " + lock + " stray " + stray + " " + strayAbove + " inheritable "
                    + (ProcFs.inheritable(stray) && ProcFs.inheritable(lock) && ProcFs.inheritable(strayAbove)));
            System.out.println("before " + signalState());
            System.out.flush();
            Spawn.Stream inherit = new Spawn.Inherit();
            List<String> argv = mode.equals("missing") ? List.of("pidlock-no-such-command", "x")
                    : List.of("sleep", "60");
            Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "PIDLOCK_EXEC", "1");
            Spawn.Request request = new Spawn.Request(argv, env, OptionalInt.of(lock), inherit, inherit, inherit,
                    false);
            try {
                PosixSpawn.exec(request, java.util.Set.of(), mode.equals("exec-fallback"));
                System.out.println("exec returned");
            } catch (SpawnException e) {
                System.out.println("failed " + e.getMessage());
            }
            System.out.println("after " + signalState());
            System.out.println("alive " + javaStream.available());
        }
    }

    private static String signalState() throws IOException {
        return "SigBlk " + ProcFs.status("thread-self", "SigBlk") + " SigIgn " + ProcFs.status("self", "SigIgn");
    }
}
