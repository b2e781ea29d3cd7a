package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pidlock.fcntl.libc.GccProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signal names and numbers on Linux, as glibc's {@code sigabbrev_np} has them. */
class SignalsTest {
    @TempDir
    Path dir;

    @Test
    void namesInEveryAcceptedSpelling() {
        for (String s : new String[] {"TERM", "SIGTERM", "term", "sigterm", "SigTerm", "15", " TERM "}) {
            assertEquals(15, Spawn.signalNumber(s), s);
        }
        assertEquals(1, Spawn.signalNumber("HUP"));
        assertEquals(2, Spawn.signalNumber("INT"));
        assertEquals(3, Spawn.signalNumber("QUIT"));
        assertEquals(9, Spawn.signalNumber("KILL"));
        assertEquals(10, Spawn.signalNumber("USR1"));
        assertEquals(12, Spawn.signalNumber("USR2"));
        assertEquals(17, Spawn.signalNumber("CHLD"));
        assertEquals(18, Spawn.signalNumber("CONT"));
        assertEquals(19, Spawn.signalNumber("STOP"));
        assertEquals(20, Spawn.signalNumber("TSTP"));
        assertEquals(6, Spawn.signalNumber("IOT"));
        assertEquals(29, Spawn.signalNumber("POLL"));
        assertEquals(64, Spawn.signalNumber("64"));
        assertEquals("TERM", Spawn.signalName(15));
        assertEquals("KILL", Spawn.signalName(9));
        assertEquals("40", Spawn.signalName(40));
        assertEquals("0", Spawn.signalName(0));
    }

    @Test
    void unknownNamesAndNumbersAreRefused() {
        for (String s : new String[] {"", "SIG", "FOO", "SIGFOO", "0", "65", "-1", "99999999999", "1.5", "T ERM"}) {
            assertThrows(IllegalArgumentException.class, () -> Spawn.signalNumber(s), s);
        }
    }

    @Test
    void everyNameAndNumberEqualsGlibcs() throws IOException, InterruptedException {
        Map<String, String> c = GccProbe.run(dir,
                "  for (int s = 1; s < 32; s++) printf(\"%d %s\\n\", s, sigabbrev_np(s));");
        assertEquals(31, c.size());
        for (int n = 1; n < 32; n++) {
            // 29 is SIGIO and SIGPOLL: glibc says POLL, bash and procps say IO; both names are accepted
            assertEquals(n == 29 ? "IO" : c.get(Integer.toString(n)), Spawn.signalName(n), "signal " + n);
            assertEquals(n, Spawn.signalNumber(c.get(Integer.toString(n))));
            assertEquals(n, Spawn.signalNumber("SIG" + c.get(Integer.toString(n))));
            assertEquals(n, Spawn.signalNumber(Integer.toString(n)));
        }
    }
}
