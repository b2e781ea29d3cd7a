package dev.pidlock.fcntl.libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiles and runs a C program that prints {@code NAME VALUE} lines: what the headers of this machine say.
 *
 * <p>Without gcc the tests that use it are skipped on a developer's machine, but fail where gcc is required:
 * in CI ({@code CI=true}, which the caller of {@code .ci/run} sets) or with {@code -Dpidlock.requireGcc=true}.
 */
public final class GccProbe {
    /** Where gcc is looked for. */
    static final Path GCC = Path.of("/usr/bin/gcc");

    private GccProbe() {
    }

    /** @return whether a missing gcc fails the test instead of skipping it */
    static boolean gccRequired() {
        return Boolean.getBoolean("pidlock.requireGcc") || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the test when gcc is missing, or fails it when gcc is required. */
    public static void requireGcc() {
        if (Files.isExecutable(GCC)) {
            return;
        }
        if (gccRequired()) {
            fail(GCC + " is missing, and the layout tests must run here (CI=true or -Dpidlock.requireGcc=true)");
        }
        assumeTrue(false, "gcc is not installed");
    }

    /**
     * @param dir  where to compile
     * @param body statements of {@code main}, printing lines
     * @return name → value
     */
    public static Map<String, String> run(Path dir, String body) throws IOException, InterruptedException {
        requireGcc();
        Path c = dir.resolve("probe.c");
        Files.writeString(c, String.join("\n",
                "#define _GNU_SOURCE",
                "#include <stdio.h>",
                "#include <stddef.h>",
                "#include <string.h>",
                "#include <errno.h>",
                "#include <fcntl.h>",
                "#include <poll.h>",
                "#include <signal.h>",
                "#include <spawn.h>",
                "#include <unistd.h>",
                "#include <sys/file.h>",
                "#include <sys/stat.h>",
                "#include <sys/syscall.h>",
                "#include <linux/close_range.h>",
                "int main(void) {",
                body,
                "  return 0;",
                "}", ""), StandardCharsets.US_ASCII);
        Path exe = dir.resolve("probe");
        Process gcc = new ProcessBuilder(GCC.toString(), "-o", exe.toString(), c.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc failed:\n" + log);
        Process run = new ProcessBuilder(exe.toString()).start();
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : new String(run.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
            int space = line.indexOf(' ');
            out.put(line.substring(0, space), line.substring(space + 1));
        }
        assertEquals(0, run.waitFor());
        return out;
    }
}
