package dev.pidlock.daemon;

import dev.pidlock.daemon.picocli.DaemonCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DaemonCommands}: a daemon's actions as picocli subcommands, run in this JVM. */
class DaemonCommandsTest {
    @TempDir
    Path dir;

    private final List<List<String>> calls = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Daemon daemon() {
        return Daemon.builder("feeder")
                .pidFile(dir.resolve("feeder.pid"))
                .worker(() -> { })
                .action("hello", "Say hello to the arguments", (d, rest) -> {
                    calls.add(rest);
                    return 7;
                })
                .action("flush", "Write the queue to disk", (d, rest) -> 0)
                .build()
                .streams(new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String usage(CommandLine cl, String... args) {
        StringWriter text = new StringWriter();
        cl.setOut(new PrintWriter(text, true));
        assertEquals(0, cl.execute(args));
        return text.toString();
    }

    private static void assertListed(String help, String name, String description) {
        assertTrue(help.lines().anyMatch(l -> l.matches("\\s+" + name + "\\s+" + java.util.regex.Pattern.quote(
                description))), "no line for " + name + " with '" + description + "' in:\n" + help);
    }

    @Test
    void theHelpListsEveryActionWithItsDescription() {
        String help = usage(DaemonCommands.commandLine(daemon()), "--help");
        assertTrue(help.startsWith("Usage: feeder "), help);
        assertListed(help, "start", "Start the daemon.");
        assertListed(help, "stop", "Stop the daemon: SIGTERM, then wait for its lock to be free.");
        assertListed(help, "restart", "Stop the daemon if it runs, then start it.");
        assertListed(help, "status", "Show whether the daemon runs (LSB exit codes).");
        assertListed(help, "reload", "Replace the daemon with a fresh start, keeping its pid and lock.");
        assertListed(help, "flush", "Write the queue to disk");
        assertListed(help, "hello", "Say hello to the arguments");

        String start = usage(DaemonCommands.commandLine(daemon()), "start", "--help");
        assertTrue(start.contains("--foreground"), start);
        String hello = usage(DaemonCommands.commandLine(daemon()), "hello", "-h");
        assertTrue(hello.contains("Say hello to the arguments"), hello);
        assertTrue(calls.isEmpty(), "help ran the action: " + calls);
    }

    @Test
    void aCustomActionGetsItsArgumentsAsTheyAreAndItsExitCodeComesBack() {
        CommandLine cl = DaemonCommands.commandLine(daemon());
        assertEquals(7, cl.execute("hello", "a", "--verbose", "-x", "b"));
        assertEquals(7, cl.execute("hello", "--loud", "world"));
        assertEquals(7, cl.execute("hello"));
        assertEquals(7, cl.execute("hello", "--", "-h", "--"));
        assertEquals(List.of(List.of("a", "--verbose", "-x", "b"), List.of("--loud", "world"), List.of(),
                List.of("-h", "--")), calls);
    }

    @Test
    void statusOfANeverStartedDaemonExits3AndJsonIsPassedOn() {
        CommandLine cl = DaemonCommands.commandLine(daemon());
        assertEquals(3, cl.execute("status"));
        assertEquals("feeder -- status: not running", out.toString(StandardCharsets.UTF_8).trim());
        out.reset();
        assertEquals(3, cl.execute("status", "--json"));
        String json = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(json.startsWith("{") && json.contains("\"status\""), json);
    }

    @Test
    void withoutAnActionTheCommandIsAUsageError() {
        CommandLine cl = DaemonCommands.commandLine(daemon());
        StringWriter text = new StringWriter();
        cl.setErr(new PrintWriter(text, true));
        assertEquals(2, cl.execute());
        assertTrue(text.toString().contains("Missing required subcommand"), text.toString());
        assertEquals(2, cl.execute("status", "--bogus"));
        assertTrue(calls.isEmpty());
    }

    @Test
    void addedToTheProgramsOwnCommandTheActionsSitNextToItsSubcommands() {
        Callable<Integer> version = () -> 42;
        CommandSpec program = CommandSpec.create().name("feeder-tool");
        program.mixinStandardHelpOptions(true);
        program.addSubcommand("version", CommandSpec.wrapWithoutInspection(version));
        CommandLine cl = DaemonCommands.addTo(new CommandLine(program), daemon());

        assertEquals(42, cl.execute("version"));
        assertEquals(7, cl.execute("hello", "x"));
        assertEquals(3, cl.execute("status"));
        assertEquals(List.of(List.of("x")), calls);
        String help = usage(cl, "--help");
        assertTrue(help.startsWith("Usage: feeder-tool "), help);
        assertTrue(help.lines().anyMatch(l -> l.matches("\\s+version\\b.*")), help);
        assertListed(help, "hello", "Say hello to the arguments");
        assertListed(help, "status", "Show whether the daemon runs (LSB exit codes).");
    }
}
