package dev.pidlock.daemon.readme;

import dev.pidlock.daemon.Daemon;

import java.nio.file.Path;
import java.time.Duration;

import static java.lang.System.Logger.Level.INFO;

/** The README's "Daemons" program, compiled here so that it stays true. */
public final class Feeder {
    private static final System.Logger LOG = System.getLogger("feeder");
    private static Daemon daemon;

    public static void main(String[] args) {
        daemon = Daemon.builder("feeder")
                .pidFile(Path.of(System.getProperty("feeder.pidfile", "/run/feeder.pid")))
                .stdout(Path.of("/var/log/feeder.out"))
                .stderr(Path.of("/var/log/feeder.err"))
                .worker(Feeder::feed)
                .shutdownCallback((message, code) -> LOG.log(INFO, "stopping: " + message + " (" + code + ")"))
                .stopTimeout(Duration.ofSeconds(10))
                .action("flush", "Print how much is queued", (d, rest) -> {
                    System.out.println("queued: 0");
                    return 0;
                })
                .build();
        daemon.run(args); // start | stop [--force] | restart | status [--json] | reload | flush
    }

    private static void feed() throws InterruptedException {
        long seen = Path.of("/etc/feeder.conf").toFile().lastModified();
        while (true) {
            Thread.sleep(1000);
            if (Path.of("/etc/feeder.conf").toFile().lastModified() != seen) {
                daemon.reload(); // a fresh JVM reads the new configuration; returns only if that failed
            }
        }
    }

    private Feeder() {
    }
}
