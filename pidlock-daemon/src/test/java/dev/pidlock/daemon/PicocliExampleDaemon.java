package dev.pidlock.daemon;

import dev.pidlock.daemon.picocli.DaemonCommands;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * The example daemon behind a program's own picocli command, run as a child JVM by the tests:
 * {@code PicocliExampleDaemon PIDFILE CALLBACK_FILE MODE ARGS...}, MODE {@code sleep} or {@code return}; ARGS go to
 * the program's command {@code feeder}, which has its own subcommand {@code version} (exit code 42) next to the
 * daemon's actions.
 */
public final class PicocliExampleDaemon {
    private PicocliExampleDaemon() {
    }

    public static void main(String[] args) {
        Path callbackFile = Path.of(args[1]);
        String mode = args[2];
        Daemon daemon = Daemon.builder("feeder")
                .pidFile(Path.of(args[0]))
                .worker(() -> {
                    if (mode.equals("sleep")) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                })
                .shutdownCallback((message, code) -> {
                    try {
                        Files.writeString(callbackFile, message + "|" + code + "\n", StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .action("hello", "Say hello to the arguments", (d, rest) -> {
                    System.out.println("hello " + String.join(" ", rest) + " from " + d.name());
                    return 7;
                })
                .build();
        Callable<Integer> version = () -> {
            System.out.println("feeder 1.0");
            return 42;
        };
        CommandSpec program = CommandSpec.create().name("feeder");
        program.addSubcommand("version", CommandSpec.wrapWithoutInspection(version));
        CommandLine feeder = DaemonCommands.addTo(new CommandLine(program), daemon);
        System.exit(feeder.execute(Arrays.copyOfRange(args, 3, args.length)));
    }
}
