package dev.pidlock;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Looks at pidfiles without acquiring them.
 *
 * <pre>{@code
 * PidFileStatus status = PidFiles.inspect(pidFile);
 * if (status.state() == PidFileStatus.State.RUNNING) {
 *     System.err.println("already running: " + status.detail());
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class PidFiles {
    private PidFiles() {
    }

    /**
     * Inspects the pidfile at {@code path} with the default backend, detectors and policy. Never opens a
     * second descriptor of a file this JVM holds, so it never drops one of its POSIX locks.
     *
     * @param path the pidfile
     * @return its status: absent, running, stale or unknown, with the pid, the lock state and the process
     * @since 0.1
     */
    public static PidFileStatus inspect(Path path) {
        Objects.requireNonNull(path, "path");
        return PidLock.at(path).inspect();
    }
}
