package dev.pidlock.daemon;

import java.nio.file.Path;

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
}
