package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cron job (no {@code LANG}, an ASCII locale) and an interactive shell (a UTF-8 locale) that name the same
 * lock must meet at the same pidfile: the JVM's file-name encoding ({@code sun.jnu.encoding}) follows the
 * locale, and the mapping of a name to a file must not.
 */
class PidFileNamesLocaleTest {

    /** Latin, Japanese and an emoji outside the BMP: none of them ASCII. */
    private static final String NAME = "caf\u00e9-\u30d0\u30c3\u30af\u30a2\u30c3\u30d7-\ud83d\ude00";

    private static final String FILE =
            "caf%C3%A9-%E3%83%90%E3%83%83%E3%82%AF%E3%82%A2%E3%83%83%E3%83%97-%F0%9F%98%80.pid";

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void anAsciiLocaleAndAUtf8LocaleMapANameToTheSameFile() throws Exception {
        Path dir = Files.createDirectory(temp.resolve("locks"));
        Path source = writeChild(temp.resolve("PrintPidFile.java"));
        Map<String, String> ascii = child(source, dir, "C");
        Map<String, String> utf8 = child(source, dir, "C.UTF-8");
        assumeTrue(!ascii.get("ENCODING").equals(utf8.get("ENCODING")), "this system's JVM encodes file names"
                + " alike in the C and the C.UTF-8 locale (" + ascii.get("ENCODING") + "), so the test proves nothing");
        assertEquals(utf8.get("FILE"), ascii.get("FILE"), "the file of one name depends on the locale: LANG=C gives "
                + ascii.get("FILE") + ", LANG=C.UTF-8 gives " + utf8.get("FILE"));
        assertEquals(FILE, ascii.get("FILE"));
        assertEquals(FILE, PidFileNames.sanitise(NAME), "and this JVM agrees");
    }

    /** A program that prints its JVM's file-name encoding and the pidfile {@code PidLock.named} picks. */
    private static Path writeChild(Path source) throws IOException {
        StringBuilder literal = new StringBuilder();
        NAME.chars().forEach(c -> literal.append(String.format("\\u%04x", c)));
        String code = String.join("\n",
                "public class PrintPidFile {",
                "    public static void main(String[] args) {",
                "        String name = \"" + literal + "\";",
                "        String file = dev.pidlock.PidLock.named(name).directory(java.nio.file.Path.of(args[0]))",
                "                .path().getFileName().toString();",
                "        StringBuilder ascii = new StringBuilder();",
                "        file.chars().forEach(c -> ascii.append(c >= 0x20 && c < 0x7f ? Character.toString(c)",
                "                : String.format(\"\\\\u%04x\", c)));",
                "        System.out.println(\"ENCODING \" + System.getProperty(\"sun.jnu.encoding\"));",
                "        System.out.println(\"FILE \" + ascii);",
                "    }",
                "}",
                "");
        return Files.writeString(source, code, StandardCharsets.US_ASCII);
    }

    /** Runs the child in {@code locale} and returns its {@code KEY value} lines. */
    private static Map<String, String> child(Path source, Path dir, String locale)
            throws IOException, InterruptedException, URISyntaxException {
        Path classes = Path.of(PidLock.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-cp", classes.toString(), source.toString(),
                dir.toString()));
        pb.environment().put("LANG", locale);
        pb.environment().put("LC_ALL", locale);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path stderr = source.resolveSibling("stderr-" + locale);
        pb.redirectError(stderr.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child in " + locale + " did not end");
        assertEquals(0, p.exitValue(), () -> "the child in " + locale + " failed: " + out + readQuietly(stderr));
        Map<String, String> lines = new HashMap<>();
        out.lines().map(l -> l.split(" ", 2)).filter(kv -> kv.length == 2).forEach(kv -> lines.put(kv[0], kv[1]));
        assertTrue(lines.containsKey("ENCODING") && lines.containsKey("FILE"), () -> "the child in " + locale
                + " said: " + out + readQuietly(stderr));
        System.out.println("LOCALE " + locale + " " + lines);
        return lines;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
