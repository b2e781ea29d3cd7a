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
 * ({@code System.exit(5)}), {@code return}, {@code selfreload} (reloads itself once, from the worker, then
 * sleeps) {@code slowreload} (sleeps; its shutdown callback takes 1.5 s for a reload, then writes "callback done"), {@code deaf} (ignores SIGTERM from then on, says so in {@code deaf.txt}, sleeps) or {@code ready} (sleeps 1.5 s, writes {@code ready.txt}, then calls {@link Daemon#ready()}, then sleeps). Each worker appends
 * "PID RANDOM" to {@code workers.txt} beside the callback file as it starts: a fresh JVM has a fresh RANDOM.
 */
public final class ExampleDaemon {
    private ExampleDaemon() {
    }

    private static volatile Daemon daemon;

    public static void main(String[] args) {
        Path pidFile = Path.of(args[0]);
        Path callbackFile = Path.of(args[1]);
        String mode = args[2];
        Daemon.Builder builder = Daemon.builder("feeder")
                .pidFile(pidFile)
                .umask(0027)
                .stopTimeout(java.time.Duration.ofSeconds(2))
                .stdout(callbackFile.resolveSibling("daemon-out.txt"))
                .stderr(callbackFile.resolveSibling("daemon-err.txt"))
                .worker(() -> {
                    Path workers = callbackFile.resolveSibling("workers.txt");
                    Files.writeString(workers, ProcessHandle.current().pid() + " " + java.util.UUID.randomUUID()
                            + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    switch (mode) {
                        case "selfreload" -> {
                            if (Files.readAllLines(workers).size() == 1) {
                                daemon.reload();
                            }
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        case "ready" -> {
                            Thread.sleep(1500);
                            Files.writeString(callbackFile.resolveSibling("ready.txt"), "ready\n");
                            Daemon.ready();
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        case "sleep", "slowreload" -> Thread.sleep(Long.MAX_VALUE);
                        case "deaf" -> {
                            dev.pidlock.fcntl.spawn.JvmSignals.handle("TERM", n -> { });
                            Files.writeString(callbackFile.resolveSibling("deaf.txt"), "deaf\n");
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        case "throw" -> throw new IllegalStateException("boom");
                        case "exit" -> System.exit(5);
                        default -> { }
                    }
                })
                .shutdownCallback((message, code) -> {
                    try {
                        Files.writeString(callbackFile, message + "|" + code + "\n", StandardCharsets.UTF_8,
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                        if (mode.equals("slowreload") && message.startsWith("Reloading")) {
                            Thread.sleep(1500);
                            Files.writeString(callbackFile, "callback done\n", StandardCharsets.UTF_8,
                                    StandardOpenOption.APPEND);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .action("hello", "Say hello to the arguments", (daemon, rest) -> {
                    System.out.println("hello " + String.join(" ", rest) + " from " + daemon.name());
                    return 7;
                });
        if (mode.equals("ready")) {
            builder.awaitReady(java.time.Duration.ofSeconds(30));
        }
        daemon = builder.build();
        daemon.run(Arrays.copyOfRange(args, 3, args.length));
    }
}
