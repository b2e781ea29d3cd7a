package dev.pidlock.daemon;

import dev.pidlock.PidFileStatus;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What {@link Daemon#status()} finds: the daemon's pid, whether it runs, and its uptime, %cpu and %mem summed over
 * the daemon and its descendants.
 *
 * @param name          the daemon's name
 * @param pidFile       its pidfile
 * @param running       whether a process holds the pidfile's lock
 * @param pid           the holder's pid, when it runs
 * @param uptime        how long it has run
 * @param cpuPercent    %cpu summed over the daemon and its descendants
 * @param memoryPercent %mem summed over the daemon and its descendants
 * @param pidFileStatus everything {@link dev.pidlock.PidLock.Builder#inspect()} found
 * @since 0.2
 */
public record DaemonStatus(String name, Path pidFile, boolean running, OptionalLong pid, Optional<Duration> uptime,
                           OptionalDouble cpuPercent, OptionalDouble memoryPercent, PidFileStatus pidFileStatus) {
}
