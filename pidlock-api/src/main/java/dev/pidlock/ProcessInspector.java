package dev.pidlock;

import dev.pidlock.internal.proc.ProcFs;
import dev.pidlock.internal.proc.ProcStat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Gathers {@link ProcessInfo}: on Linux from each process's {@code /proc/PID/stat} (start, CPU time) and
 * {@code statm} (resident memory), the holder's {@code cmdline}, and the children lists of {@code /proc}, reading what
 * {@link ProcessHandle.Info} would say without its user lookup and its reads per process; elsewhere from
 * {@link ProcessHandle}.
 */
final class ProcessInspector {

    private ProcessInspector() {
    }

    /** Whether {@code /proc} answers for {@link #fromProc}; known once per JVM. */
    private static final class Proc {
        static final boolean USABLE = ProcFs.present() && ProcFs.statFiguresKnown();
    }

    static ProcessInfo inspect(long pid) {
        return Proc.USABLE ? fromProc(pid) : fromHandles(pid);
    }

    private static ProcessInfo notAlive(long pid) {
        return new ProcessInfo(pid, false, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty(), Optional.empty(), 0,
                OptionalDouble.empty(), OptionalLong.empty(), OptionalDouble.empty());
    }

    /**
     * One {@code stat} and one {@code statm} read per process: alive as {@link ProcFs#alive} says it (readable, not exited), the
     * figures as {@link ProcessHandle.Info} and {@code VmRSS} give them.
     */
    static ProcessInfo fromProc(long pid) {
        Optional<ProcStat> stat = pid > 0 ? ProcFs.stat(pid) : Optional.empty();
        if (stat.isEmpty() || stat.get().exited()) {
            return notAlive(pid);
        }
        Instant now = Instant.now();
        OptionalLong total = ProcFs.totalMemoryBytesOnce();
        Optional<Instant> started = ProcFs.startInstant(stat.get());
        Optional<Duration> cpuTime = ProcFs.cpuTime(stat.get());
        Figures self = figures(started, cpuTime, ProcFs.residentBytesOfStatm(pid), now);
        List<Long> pids = ProcFs.descendants(pid).orElseGet(() -> ProcessHandle.of(pid)
                .map(h -> h.descendants().map(ProcessHandle::pid).collect(Collectors.toList())).orElse(List.of()));
        OptionalDouble treeCpu = self.cpuPercent;
        OptionalLong treeRss = self.rss;
        int descendants = 0;
        for (long d : pids) {
            Optional<ProcStat> s = ProcFs.stat(d);
            if (s.isEmpty()) {
                continue; // gone since its parent listed it: ProcessHandle.of would not find it either
            }
            descendants++;
            Figures f = figures(ProcFs.startInstant(s.get()), ProcFs.cpuTime(s.get()),
                    ProcFs.residentBytesOfStatm(d), now);
            treeCpu = sum(treeCpu, f.cpuPercent);
            treeRss = sum(treeRss, f.rss);
        }
        return new ProcessInfo(pid, true, started, self.uptime, cpuTime, self.cpuPercent, self.rss,
                percentOf(self.rss, total), ProcFs.commandLine(pid), descendants, treeCpu, treeRss,
                percentOf(treeRss, total));
    }

    /** Where {@code /proc} is absent: {@link ProcessHandle.Info} for each process. */
    static ProcessInfo fromHandles(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(h -> ProcFs.alive(h.pid()));
        if (handle.isEmpty()) {
            return notAlive(pid);
        }
        Instant now = Instant.now();
        OptionalLong total = ProcFs.totalMemoryBytes();
        Figures self = figures(handle.get(), now);
        List<ProcessHandle> descendants = descendants(handle.get());
        OptionalDouble treeCpu = self.cpuPercent;
        OptionalLong treeRss = self.rss;
        for (ProcessHandle d : descendants) {
            Figures f = figures(d, now);
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

    private static Figures figures(ProcessHandle p, Instant now) {
        ProcessHandle.Info info = p.info();
        return figures(info.startInstant(), info.totalCpuDuration(), ProcFs.residentBytes(p.pid()), now);
    }

    private static Figures figures(Optional<Instant> started, Optional<Duration> cpuTime, OptionalLong rss,
                                   Instant now) {
        Optional<Duration> uptime = started.map(s -> Duration.between(s, now)).filter(d -> !d.isNegative());
        OptionalDouble cpu = OptionalDouble.empty();
        if (uptime.isPresent() && cpuTime.isPresent() && !uptime.get().isZero()) {
            cpu = OptionalDouble.of(100.0 * cpuTime.get().toNanos() / uptime.get().toNanos());
        }
        return new Figures(uptime, cpu, rss);
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
