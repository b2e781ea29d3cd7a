package dev.pidlock;

import dev.pidlock.internal.proc.ProcFs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** Gathers {@link ProcessInfo} from {@link ProcessHandle} and, on Linux, {@code /proc}. */
final class ProcessInspector {

    private ProcessInspector() {
    }

    static ProcessInfo inspect(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(h -> ProcFs.alive(h.pid()));
        if (handle.isEmpty()) {
            return new ProcessInfo(pid, false, Optional.empty(), Optional.empty(), Optional.empty(),
                    OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty(), Optional.empty(), 0,
                    OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty());
        }
        Instant now = Instant.now();
        OptionalLong total = ProcFs.totalMemoryBytes();
        Figures self = figures(handle.get(), now, total);
        List<ProcessHandle> descendants = descendants(handle.get());
        OptionalDouble treeCpu = self.cpuPercent;
        OptionalLong treeRss = self.rss;
        for (ProcessHandle d : descendants) {
            Figures f = figures(d, now, total);
            treeCpu = sum(treeCpu, f.cpuPercent);
            treeRss = sum(treeRss, f.rss);
        }
        ProcessHandle.Info info = handle.get().info();
        return new ProcessInfo(pid, true, info.startInstant(), self.uptime, info.totalCpuDuration(),
                self.cpuPercent, self.rss, percentOf(self.rss, total), info.commandLine().or(info::command),
                descendants.size(), treeCpu, treeRss, percentOf(treeRss, total));
    }

    /** From the children lists of {@code /proc}, else by the JDK's scan of every process's parent. */
    private static List<ProcessHandle> descendants(ProcessHandle p) {
        return ProcFs.descendants(p.pid())
                .map(pids -> pids.stream().map(ProcessHandle::of).flatMap(Optional::stream)
                        .collect(Collectors.toList()))
                .orElseGet(() -> p.descendants().collect(Collectors.toList()));
    }

    private record Figures(Optional<Duration> uptime, OptionalDouble cpuPercent, OptionalLong rss) {
    }

    private static Figures figures(ProcessHandle p, Instant now, OptionalLong total) {
        ProcessHandle.Info info = p.info();
        Optional<Duration> uptime = info.startInstant().map(s -> Duration.between(s, now))
                .filter(d -> !d.isNegative());
        OptionalDouble cpu = OptionalDouble.empty();
        if (uptime.isPresent() && info.totalCpuDuration().isPresent() && !uptime.get().isZero()) {
            cpu = OptionalDouble.of(100.0 * info.totalCpuDuration().get().toNanos() / uptime.get().toNanos());
        }
        return new Figures(uptime, cpu, ProcFs.residentBytes(p.pid()));
    }

    private static OptionalDouble sum(OptionalDouble a, OptionalDouble b) {
        return a.isPresent() && b.isPresent() ? OptionalDouble.of(a.getAsDouble() + b.getAsDouble()) : OptionalDouble.empty();
    }

    private static OptionalLong sum(OptionalLong a, OptionalLong b) {
        return a.isPresent() && b.isPresent() ? OptionalLong.of(a.getAsLong() + b.getAsLong()) : OptionalLong.empty();
    }

    private static OptionalDouble percentOf(OptionalLong bytes, OptionalLong total) {
        if (bytes.isEmpty() || total.isEmpty() || total.getAsLong() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(100.0 * bytes.getAsLong() / total.getAsLong());
    }
}
