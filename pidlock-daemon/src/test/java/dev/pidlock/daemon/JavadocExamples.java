package dev.pidlock.daemon;

import dev.pidlock.daemon.picocli.DaemonCommands;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static java.lang.System.Logger.Level.INFO;

/**
 * The code examples of pidlock-daemon's javadoc, compiled. pidlock-build-checks' {@code JavadocCodeBlocksTest}
 * fails when the javadoc shows code that is not here. Nested classes, so that Surefire never takes them for tests.
 */
final class JavadocExamples {
    private JavadocExamples() {
    }

    /** {@link Daemon}'s example. */
    static final class Feeder {
        private static final System.Logger LOG = System.getLogger("feeder");

        private Feeder() {
        }

        static void run() throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
        }

        public static void main(String[] args) {
            Daemon.builder("feeder")
                  .pidFile(Path.of("/run/feeder.pid"))
                  .worker(Feeder::run)
                  .shutdownCallback((message, code) -> LOG.log(INFO, "stopping: " + message + " (" + code + ")"))
                  .build()
                  .run(args);
        }
    }

    /** {@link DaemonCommands}' example: the daemon's actions next to the program's own subcommands. */
    static final class WithPicocli {
        private WithPicocli() {
        }

        static final class Feeder {
            private Feeder() {
            }

            static void run() throws InterruptedException {
                Thread.sleep(Long.MAX_VALUE);
            }

            static int flush(List<String> queues) {
                return queues.isEmpty() ? 1 : 0;
            }
        }

        /** The program's own command, with its own subcommands. */
        @CommandLine.Command(name = "feeder", mixinStandardHelpOptions = true,
                subcommands = CommandLine.HelpCommand.class)
        static final class FeederCommand {
        }

        public static void main(String[] args) {
            Daemon daemon = Daemon.builder("feeder")
                                  .pidFile(Path.of("/run/feeder.pid"))
                                  .worker(Feeder::run)
                                  .action("flush", "Write the queue to disk", (d, rest) -> Feeder.flush(rest))
                                  .build();
            CommandLine feeder = new CommandLine(new FeederCommand());
            DaemonCommands.addTo(feeder, daemon);
            System.exit(feeder.execute(args));
        }
    }
}
