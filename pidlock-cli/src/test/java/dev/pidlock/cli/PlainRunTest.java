package dev.pidlock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pidlock run} read by {@link PlainRun} and by picocli: the plain form gives the command the same options,
 * everything else is left to picocli, and a run that fails reports the same line and exit code either way.
 */
class PlainRunTest {

    @TempDir
    Path dir;

    /** The plain forms: PlainRun reads each, and sets every field as picocli does. */
    private List<List<String>> plainForms() {
        String p = dir.resolve("a.pid").toString();
        String d = dir.toString();
        return List.of(
                List.of("--name", "x", "--", "true"),
                List.of("--name=x", "--", "true"),
                List.of("--pidfile", p, "--", "sh", "-c", "exit 3", "--", "--name"),
                List.of("--pidfile=" + p, "--backend", "ofd", "--", "true"),
                List.of("--name", "x y", "--dir", d, "--", "true"),
                List.of("--dir=" + d, "--name", "a=b", "--", "true"),
                List.of("--name", "x", "--wait", "2s", "--", "true"),
                List.of("--name", "x", "--wait=1.5", "--conflict-exit-code", "3", "--", "true"),
                List.of("--name", "x", "--conflict-exit-code=+7", "--", "true"),
                List.of("--name", "x", "--owner", "root:root", "--keep-file", "--", "true"),
                List.of("--supervise", "--backend=nio", "--name", "x", "--no-fork", "--", "true"),
                List.of("--name", " ", "--", "true"),
                List.of("--pidfile", "/", "--dir", d, "--conflict-exit-code", "300", "--", "-x"),
                List.of("--name", "\u00e9t\u00e9", "--", "\u00e9"),
                List.of("--name", "x", "--backend", "etcd", "--lost-signal", "USR1", "--", "true"),
                List.of("--lost-signal=9", "--name", "x", "--", "true"));
    }

    @Test
    void thePlainFormIsReadAsPicocliReadsIt() {
        for (List<String> args : plainForms()) {
            RunCommand plain = PlainRun.parse(args);
            assertNotNull(plain, "plain: " + args);
            RunCommand picocli = new RunCommand();
            CommandLine cli = new CommandLine(picocli);
            cli.setExpandAtFiles(false);
            cli.parseArgs(args.toArray(String[]::new));
            assertEquals(fields(picocli), fields(plain), "read the same: " + args);
        }
    }

    /** Every form that is not plain is left to picocli: help, errors, unusual spellings. */
    @Test
    void everyOtherFormIsLeftToPicocli() {
        String p = dir.resolve("a.pid").toString();
        List<List<String>> others = List.of(
                List.of(),
                List.of("--name", "x"),
                List.of("--name", "x", "--"),
                List.of("--name", "x", "true"),
                List.of("--name", "x", "true", "--", "true"),
                List.of("-h", "--name", "x", "--", "true"),
                List.of("--help"),
                List.of("--name", "x", "-V", "--", "true"),
                List.of("--version", "--", "true"),
                List.of("--name", "x", "--name", "y", "--", "true"),
                List.of("--name", "x", "--name=y", "--", "true"),
                List.of("--keep-file", "--keep-file", "--name", "x", "--", "true"),
                List.of("--name", "x", "--pidfile", p, "--", "true"),
                List.of("--dir", "/tmp", "--", "true"),
                List.of("--name", "-x", "--", "true"),
                List.of("--name", "--dir", "/tmp", "--", "true"),
                List.of("--name=", "--", "true"),
                List.of("--name", "", "--", "true"),
                List.of("--name", "x", "--dir", "--", "true"),
                List.of("--name", "x", "--wait", "soon", "--", "true"),
                List.of("--name", "x", "--wait", "-1", "--", "true"),
                List.of("--name", "x", "--conflict-exit-code", "one", "--", "true"),
                List.of("--name", "x", "--conflict-exit-code", "0x10", "--", "true"),
                List.of("--name", "x", "--conflict-exit-code", "-1", "--", "true"),
                List.of("--name", "x", "--conflict-exit-code", "99999999999", "--", "true"),
                List.of("--pidfile", "a\0b", "--", "true"),
                List.of("--name", "x", "--keep-file=true", "--", "true"),
                List.of("--name", "x", "--unknown", "--", "true"),
                List.of("--name", "x", "--Dir", "/tmp", "--", "true"),
                List.of("--nam", "x", "--", "true"),
                List.of("--name", "x", "--debug", "--", "true"),
                List.of("--name", "x", "@opts", "--", "true"),
                List.of("=x", "--name", "x", "--", "true"));
        for (List<String> args : others) {
            assertNull(PlainRun.parse(args), "left to picocli: " + args);
        }
    }

    /**
     * A plain run that fails prints the same and exits the same as one picocli read (the same options, the
     * command given without {@code --}, which the plain form never reads): before the command starts, and when
     * the lock is held.
     */
    @Test
    void aFailedRunReportsAsPicocliDoes() throws Exception {
        Path held = dir.resolve("held.pid");
        Files.writeString(held, "1\n");
        Process holder = new ProcessBuilder("flock", "-x", held.toString(), "sleep", "30").start();
        try {
            awaitLocked(held);
            String p = dir.resolve("a.pid").toString();
            String d = dir.toString();
            List<List<String>> failing = List.of(
                    List.of("--pidfile", p, "--dir", d),
                    List.of("--pidfile", "/"),
                    List.of("--pidfile", d + "/missing/a.pid"),
                    List.of("--name", " ", "--dir", d),
                    List.of("--name", "x", "--dir", d, "--conflict-exit-code", "256"),
                    List.of("--name", "x", "--dir", d, "--owner", "no-such-user-here"),
                    List.of("--name", "x", "--dir", d, "--owner", "root:"),
                    List.of("--name", "x", "--dir", d, "--backend", "no-such-backend"),
                    List.of("--name", "x", "--dir", d, "--backend", "nio"),
                    List.of("--name", "x", "--dir", d, "--backend", "nio", "--no-fork"),
                    List.of("--pidfile", held.toString()),
                    List.of("--pidfile", held.toString(), "--conflict-exit-code", "9"),
                    List.of("--pidfile", held.toString(), "--wait", "100ms"));
            for (List<String> options : failing) {
                List<String> plain = new ArrayList<>(List.of("run"));
                plain.addAll(options);
                plain.addAll(List.of("--", "true"));
                List<String> picocli = new ArrayList<>(List.of("run"));
                picocli.addAll(options);
                picocli.add("true");
                assertNotNull(PlainRun.parse(plain.subList(1, plain.size())), "plain: " + plain);
                Outcome viaPlain = run(plain);
                Outcome viaPicocli = run(picocli);
                assertEquals(viaPicocli, viaPlain, "the same report: " + plain);
                assertEquals(1, viaPlain.err.lines().count(), "one line: " + viaPlain);
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitLocked(Path file) throws IOException, InterruptedException {
        String inode = ":" + Files.getAttribute(file, "unix:ino") + " ";
        for (int i = 0; i < 3000; i++) {
            if (Files.readString(Path.of("/proc/locks")).lines().anyMatch(l -> l.contains(inode))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("flock(1) never locked " + file);
    }

    record Outcome(int exit, String out, String err) {
    }

    private static synchronized Outcome run(List<String> args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args.toArray(String[]::new));
            System.out.flush();
            System.err.flush();
            return new Outcome(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static List<Object> fields(RunCommand r) {
        return Arrays.asList(r.target.choice.pidfile, r.target.choice.name, r.target.dir, r.backend, r.wait,
                r.conflictExitCode, r.owner, r.keepFile, r.noFork, r.supervise, r.lostSignal, r.command);
    }
}
