package dev.pidlock.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pidlock.PidFileStatus;
import dev.pidlock.PidLock;
import dev.pidlock.ProcessInfo;
import dev.pidlock.internal.proc.Uptime;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pidlock status}: who is running, daemonocle-style, with LSB exit codes. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show whether the pidfile's process runs, with uptime, %%cpu and %%mem summed over the"
                + " process and its descendants.",
                "Exit: 0 running, 1 dead but pidfile exists, 3 not running, 4 unknown."})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    Target target;

    @Option(names = "--backend", paramLabel = "ID", description = "The backend used to probe the lock.")
    String backend;

    @Option(names = "--json", description = "Print JSON (snake_case fields).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PidLock.Builder b = target.builder();
        if (backend != null) {
            b.backend(backend);
        }
        PidFileStatus s = b.inspect();
        String name = target.displayName(s.path());
        System.out.println(json ? toJson(name, s) : line(name, s));
        return switch (s.state()) {
            case RUNNING -> ExitCodes.OK;
            case STALE -> ExitCodes.CONFLICT;
            case ABSENT -> ExitCodes.NOT_RUNNING;
            case UNKNOWN -> ExitCodes.UNKNOWN;
        };
    }

    static String state(PidFileStatus s) {
        return switch (s.state()) {
            case RUNNING -> "running";
            case STALE -> "dead";
            case ABSENT -> "not running";
            case UNKNOWN -> "unknown";
        };
    }

    static String line(String name, PidFileStatus s) {
        StringBuilder sb = new StringBuilder(name).append(" -- ");
        if (s.pid().isPresent()) {
            sb.append("pid: ").append(s.pid().getAsLong()).append(", ");
        }
        sb.append("status: ").append(state(s));
        Optional<ProcessInfo> p = s.process().filter(ProcessInfo::alive);
        if (s.state() == PidFileStatus.State.RUNNING && p.isPresent()) {
            sb.append(", uptime: ").append(p.get().uptime().map(Uptime::format).orElse("unknown"));
            sb.append(", %cpu: ").append(p.get().treeCpuPercent().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", p.get().treeCpuPercent().getAsDouble()) : "unknown");
            sb.append(", %mem: ").append(p.get().treeMemoryPercent().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", p.get().treeMemoryPercent().getAsDouble()) : "unknown");
        } else if (s.state() != PidFileStatus.State.ABSENT) {
            sb.append(" (").append(s.detail()).append(')');
        }
        return sb.toString();
    }

    static String toJson(String name, PidFileStatus s) throws IOException {
        StringWriter w = new StringWriter();
        Optional<ProcessInfo> p = s.process().filter(ProcessInfo::alive);
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("pidfile", s.path().toString());
            g.writeStringField("status", state(s));
            if (s.pid().isPresent()) {
                g.writeNumberField("pid", s.pid().getAsLong());
            } else {
                g.writeNullField("pid");
            }
            switch (s.lock()) {
                case LOCKED -> g.writeBooleanField("locked", true);
                case UNLOCKED -> g.writeBooleanField("locked", false);
                case UNKNOWN -> g.writeNullField("locked");
            }
            Optional<java.time.Instant> started = p.flatMap(ProcessInfo::startedAt);
            if (started.isPresent()) {
                g.writeStringField("started_at", started.get().toString());
            } else {
                g.writeNullField("started_at");
            }
            Optional<Duration> up = p.flatMap(ProcessInfo::uptime);
            if (up.isPresent()) {
                g.writeNumberField("uptime_seconds", up.get().toMillis() / 1000.0);
            } else {
                g.writeNullField("uptime_seconds");
            }
            if (p.isPresent() && p.get().treeCpuPercent().isPresent()) {
                g.writeNumberField("cpu_percent", round(p.get().treeCpuPercent().getAsDouble()));
            } else {
                g.writeNullField("cpu_percent");
            }
            if (p.isPresent() && p.get().treeResidentBytes().isPresent()) {
                g.writeNumberField("memory_rss_bytes", p.get().treeResidentBytes().getAsLong());
            } else {
                g.writeNullField("memory_rss_bytes");
            }
            if (p.isPresent() && p.get().treeMemoryPercent().isPresent()) {
                g.writeNumberField("memory_percent", round(p.get().treeMemoryPercent().getAsDouble()));
            } else {
                g.writeNullField("memory_percent");
            }
            Optional<String> command = p.flatMap(ProcessInfo::command);
            if (command.isPresent()) {
                g.writeStringField("command", command.get());
            } else {
                g.writeNullField("command");
            }
            if (p.isPresent()) {
                g.writeNumberField("processes", 1 + p.get().descendants());
            } else {
                g.writeNumberField("processes", 0);
            }
            g.writeStringField("detail", s.detail());
            g.writeEndObject();
        }
        return w.toString();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

}
