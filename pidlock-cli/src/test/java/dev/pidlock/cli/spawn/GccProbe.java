package dev.pidlock.cli.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Compiles and runs a C program that prints {@code NAME VALUE} lines: what the headers of this machine say. */
final class GccProbe {
    private GccProbe() {
    }

    /**
     * @param dir  where to compile
     * @param body statements of {@code main}, printing lines
     * @return name → value
     */
    static Map<String, String> run(Path dir, String body) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc is not installed");
        Path c = dir.resolve("probe.c");
        Files.writeString(c, String.join("\n",
                "#define _GNU_SOURCE",
                "#include <stdio.h>",
                "#include <stddef.h>",
                "#include <string.h>",
                "#include <errno.h>",
                "#include <fcntl.h>",
                "#include <signal.h>",
                "#include <spawn.h>",
                "#include <unistd.h>",
                "#include <sys/syscall.h>",
                "#include <linux/close_range.h>",
                "int main(void) {",
                body,
                "  return 0;",
                "}", ""), StandardCharsets.US_ASCII);
        Path exe = dir.resolve("probe");
        Process gcc = new ProcessBuilder("gcc", "-o", exe.toString(), c.toString()).redirectErrorStream(true).start();
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
