package dev.pidlock;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What could be learned about a process. Every measurement is empty when it cannot be read on this system
 * or for this process: unknown, never a made-up number. Tree figures sum the process and its descendants.
 *
 * @param pid               the process id
 * @param alive             whether it exists
 * @param startedAt         when it started
 * @param uptime            how long it has run
 * @param cpuTime           user plus system CPU time
 * @param cpuPercent        CPU time over uptime, in percent of one core (as {@code ps} shows it)
 * @param residentBytes     resident memory
 * @param memoryPercent     resident memory over the machine's memory, in percent
 * @param command           the command line
 * @param descendants       how many descendant processes it has
 * @param treeCpuPercent    {@code cpuPercent} summed over the process and its descendants
 * @param treeResidentBytes {@code residentBytes} summed over the process and its descendants
 * @param treeMemoryPercent {@code memoryPercent} summed over the process and its descendants
 * @since 0.1
 */
public record ProcessInfo(long pid, boolean alive, Optional<Instant> startedAt, Optional<Duration> uptime,
                          Optional<Duration> cpuTime, OptionalDouble cpuPercent, OptionalLong residentBytes,
                          OptionalDouble memoryPercent, Optional<String> command, int descendants,
                          OptionalDouble treeCpuPercent, OptionalLong treeResidentBytes,
                          OptionalDouble treeMemoryPercent) {

    /**
     * Looks at a process now.
     *
     * @param pid the process
     * @return what could be learned
     * @since 0.1
     */
    public static ProcessInfo of(long pid) {
        return ProcessInspector.inspect(pid);
    }
}
