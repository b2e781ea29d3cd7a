package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pidlock run} from the built launcher, in the plain form ({@link PlainRun}: options, {@code --}, the
 * command) and read by picocli (the same options, the command without {@code --}): the same status, output and
 * pidfile left behind, for a command that runs, one that fails, one that cannot start, and bad usage.
 */
class PlainRunLauncherTest {

    @TempDir
    Path dir;

    Launcher pidlock;
    Path pidfile;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
        pidfile = dir.resolve("app.pid");
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    @Test
    void thePlainFormAndPicocliRunTheSame() throws IOException {
        String d = dir.toString();
        String p = pidfile.toString();
        List<List<List<String>>> cases = List.of(
                List.of(List.of("--pidfile", p), List.of("true")),
                List.of(List.of("--pidfile", p), List.of("false")),
                List.of(List.of("--pidfile", p, "--keep-file"), List.of("echo", "kept")),
                List.of(List.of("--name", "plain", "--dir", d, "--wait", "1s"), List.of("echo", "named")),
                List.of(List.of("--pidfile", p), List.of(d + "/no-such-command")),
                List.of(List.of("--pidfile", p), List.of(d)),
                List.of(List.of("--pidfile", p, "--dir", d), List.of("true")),
                List.of(List.of("--name", "plain", "--dir", d, "--conflict-exit-code", "256"), List.of("true")),
                List.of(List.of("--name", "plain", "--dir", d, "--backend", "nio"), List.of("true")));
        for (List<List<String>> c : cases) {
            List<String> plain = new ArrayList<>(c.get(0));
            plain.add("--");
            plain.addAll(c.get(1));
            assertNotNull(PlainRun.parse(plain), "plain: " + plain);
            plain.add(0, "run");
            List<String> viaPicocli = new ArrayList<>(List.of("run"));
            viaPicocli.addAll(c.get(0));
            viaPicocli.addAll(c.get(1));
            Launcher.Result a = pidlock.run(plain.toArray(String[]::new));
            boolean keptA = Files.exists(pidfile);
            Files.deleteIfExists(pidfile);
            Launcher.Result b = pidlock.run(viaPicocli.toArray(String[]::new));
            boolean keptB = Files.exists(pidfile);
            Files.deleteIfExists(pidfile);
            assertEquals(List.of(b.exit(), b.stdout(), b.stderr(), keptB), List.of(a.exit(), a.stdout(), a.stderr(),
                    keptA), "the same run: " + plain + " and " + viaPicocli);
        }
        assertFalse(Files.exists(dir.resolve("plain.pid")));
    }
}
