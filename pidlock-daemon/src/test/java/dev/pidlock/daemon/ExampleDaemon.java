package dev.pidlock.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The example daemon the tests run as a child JVM: {@code ExampleDaemon PIDFILE CALLBACK_FILE MODE ACTION...},
 * MODE {@code sleep} (works until signalled), {@code throw} (fails at once), {@code exit}
 * ({@code System.exit(5)}) or {@code return}.
 */
public final class ExampleDaemon {
    private ExampleDaemon() {
    }

    public static void main(String[] args) {
        Path pidFile = Path.of(args[0]);
        Path callbackFile = Path.of(args[1]);
        String mode = args[2];
        Daemon.builder("feeder")
                .pidFile(pidFile)
                .umask(0027)
                .stdout(callbackFile.resolveSibling("daemon-out.txt"))
                .stderr(callbackFile.resolveSibling("daemon-err.txt"))
                .worker(() -> {
                    switch (mode) {
                        case "sleep" -> Thread.sleep(Long.MAX_VALUE);
                        case "throw" -> throw new IllegalStateException("boom");
                        case "exit" -> System.exit(5);
                        default -> { }
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
                .action("hello", "Say hello to the arguments", (daemon, rest) -> {
                    System.out.println("hello " + String.join(" ", rest) + " from " + daemon.name());
                    return 7;
                })
                .build()
                .run(Arrays.copyOfRange(args, 3, args.length));
    }
}
