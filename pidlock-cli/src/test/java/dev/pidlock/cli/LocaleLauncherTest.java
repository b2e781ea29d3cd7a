package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names and paths do not depend on the locale: the launcher takes the command line's bytes as given, so
 * {@code café} is one file under {@code LC_ALL=C.UTF-8}, {@code LC_ALL=C} and no locale at all, {@code café}
 * and {@code cafè} stay two, non-ASCII paths open under {@code C}, and the command receives its arguments
 * (invalid UTF-8 included) and the caller's locale variables byte for byte. Non-ASCII bytes are written with
 * {@code printf} escapes in the scripts, so that the test JVM's own locale plays no part.
 */
class LocaleLauncherTest {

    /** café and cafè in UTF-8. */
    private static final String CAFE_ACUTE = "$(printf 'caf\\303\\251')";
    private static final String CAFE_GRAVE = "$(printf 'caf\\303\\250')";

    @TempDir
    Path dir;

    Launcher pidlock;

    @BeforeEach
    void setUp() {
        pidlock = new Launcher(dir);
    }

    @AfterEach
    void tearDown() {
        pidlock.close();
    }

    /** The locales: C.UTF-8, C, POSIX, nothing set at all, LANG=C. */
    private static Map<String, String> locale(String which) {
        Map<String, String> env = new HashMap<>();
        env.put("LC_ALL", null);
        env.put("LC_CTYPE", null);
        env.put("LANG", null);
        switch (which) {
            case "unset" -> { }
            case "LANG=C" -> env.put("LANG", "C");
            default -> env.put("LC_ALL", which);
        }
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {"C.UTF-8", "C", "POSIX", "unset", "LANG=C"})
    void aNameIsTheSameFileInEveryLocaleAndTheCommandGetsItsBytes(String which) {
        Path names = dir.resolve("names");
        String script = "mkdir -p '" + names + "' && \"$PIDLOCK\" run --name \"" + CAFE_ACUTE + "\" --dir '" + names
                + "' -- sh -c 'ls \"$0\"; for a; do printf %s \"$a\" | od -An -tx1 | tr -d \" \\n\"; echo; done;"
                + " echo \"LC_ALL=${LC_ALL-unset} LANG=${LANG-unset} saved=${PIDLOCK_LAUNCHER_LC_ALL-none}\"' '"
                + names + "' \"" + CAFE_ACUTE + "\" \"$(printf 'a\\377b')\" \"$(printf 'x\\ny')\" ''";
        Launcher.Result r = pidlock.shell(locale(which), script).exits(0);
        String expectedLocale = switch (which) {
            case "unset" -> "LC_ALL=unset LANG=unset";
            case "LANG=C" -> "LC_ALL=unset LANG=C";
            default -> "LC_ALL=" + which + " LANG=unset";
        };
        assertEquals(List.of("caf%C3%A9.pid", "636166c3a9", "61ff62", "780a79", "",
                expectedLocale + " saved=none"), r.stdoutLines(), r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "unset"})
    void cafeAndCafeGraveAreTwoFilesUnderC(String which) {
        Path names = dir.resolve("two");
        String script = "mkdir -p '" + names + "' && \"$PIDLOCK\" run --name \"" + CAFE_ACUTE + "\" --dir '" + names
                + "' -- \"$PIDLOCK\" run --name \"" + CAFE_GRAVE + "\" --dir '" + names + "' -- ls '" + names + "'";
        Launcher.Result r = pidlock.shell(locale(which), script).exits(0);
        assertEquals(List.of("caf%C3%A8.pid", "caf%C3%A9.pid"), r.stdoutLines(), r::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "unset", "C.UTF-8"})
    void aNonAsciiPidfileOrDirectoryOpensUnderC(String which) {
        String script = "d='" + dir + "'/\"" + CAFE_ACUTE + "\"; mkdir -p \"$d\" && \"$PIDLOCK\" run --pidfile \"$d/"
                + CAFE_GRAVE + ".pid\" -- sh -c 'cat \"$0\" >/dev/null && echo pidfile' \"$d/" + CAFE_GRAVE + ".pid\""
                + " && \"$PIDLOCK\" run --name x --dir \"$d\" -- sh -c 'test -e \"$0\"/x.pid && echo dir' \"$d\"";
        Launcher.Result r = pidlock.shell(locale(which), script).exits(0);
        assertEquals(List.of("pidfile", "dir"), r.stdoutLines(), r::toString);
    }

    @Test
    void aPidfilePathThatIsNotUtf8IsAUsageError() {
        Launcher.Result r = pidlock.shell(locale("C"), "\"$PIDLOCK\" run --pidfile '" + dir
                + "'/\"$(printf 'a\\377.pid')\" -- true").exits(64);
        r.oneErrorLine("\\xFF", "not valid UTF-8");
    }
}
