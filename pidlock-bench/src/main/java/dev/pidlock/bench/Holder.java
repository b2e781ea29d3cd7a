package dev.pidlock.bench;

import dev.pidlock.PidLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The other process of the contended benchmarks: acquires a pidfile, says {@code held PID} on stdout, and
 * holds it until its stdin ends (or it is killed); then releases and exits.
 *
 * <pre>java -cp benchmarks.jar dev.pidlock.bench.Holder BACKEND PIDFILE</pre>
 */
public final class Holder {
    private Holder() {
    }

    /**
     * @param args the backend id and the pidfile
     * @throws IOException when stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Holder BACKEND PIDFILE");
            System.exit(64);
        }
        try (PidLock lock = PidLock.at(Path.of(args[1])).backend(args[0]).acquire()) {
            System.out.println("held " + lock.pid());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // hold until the parent closes our stdin
            }
        }
    }
}
