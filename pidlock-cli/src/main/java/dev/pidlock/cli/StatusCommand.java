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
                "Exit: 0 running, 1 dead but pidfile exists, 3 not running, 4 unknown (also: the pidfile names"
                        + " a pid that exists but /proc hides, hidepid)."})
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
        PidFileStatus s = HiddenProcess.reconsider(b.inspect());
        System.out.println(json ? toJson(Printable.forJson(target.name(s.path())), s)
                : Printable.of(line(target.displayName(s.path()), s)));
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
            sb.append("pid: ").append(s.pid().getAsLong());
            s.host().ifPresent(h -> sb.append(" on host ").append(h));
            sb.append(", ");
        }
        sb.append("status: ").append(state(s));
        Optional<ProcessInfo> p = s.process().filter(ProcessInfo::alive);
        if (s.state() == PidFileStatus.State.RUNNING && p.isPresent()) {
            sb.append(", uptime: ").append(p.get().uptime().map(Uptime::format).orElse("unknown"));
            sb.append(", %cpu: ").append(p.get().treeCpuPercent().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", p.get().treeCpuPercent().getAsDouble()) : "unknown");
            sb.append(", %mem: ").append(p.get().treeMemoryPercent().isPresent()
                    ? String.format(Locale.ROOT, "%.1f", p.get().treeMemoryPercent().getAsDouble()) : "unknown");
            if (!s.holders().isEmpty() && !s.pidConfirmed()) {
                sb.append(" (").append(s.detail()).append(')'); // the file names a pid the kernel does not confirm
            }
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
            writeOrNull(g, "pid", s.pid().stream().boxed().findFirst(), JsonGenerator::writeNumberField);
            Optional<Boolean> locked = switch (s.lock()) {
                case LOCKED -> Optional.of(true);
                case UNLOCKED -> Optional.of(false);
                case UNKNOWN -> Optional.empty();
            };
            writeOrNull(g, "locked", locked, JsonGenerator::writeBooleanField);
            g.writeArrayFieldStart("holders");
            for (long holder : s.holders()) {
                g.writeNumber(holder);
            }
            g.writeEndArray();
            writeOrNull(g, "pidfile_pid", s.recordedPid().stream().boxed().findFirst(),
                    JsonGenerator::writeNumberField);
            writeOrNull(g, "pid_confirmed", s.holders().isEmpty() ? Optional.empty() : Optional.of(s.pidConfirmed()),
                    JsonGenerator::writeBooleanField);
            writeOrNull(g, "started_at", p.flatMap(ProcessInfo::startedAt).map(Object::toString),
                    JsonGenerator::writeStringField);
            writeOrNull(g, "uptime_seconds", p.flatMap(ProcessInfo::uptime).map(up -> up.toMillis() / 1000.0),
                    JsonGenerator::writeNumberField);
            writeOrNull(g, "cpu_percent", p.flatMap(i -> i.treeCpuPercent().stream().boxed().findFirst())
                    .map(StatusCommand::round), JsonGenerator::writeNumberField);
            writeOrNull(g, "memory_rss_bytes", p.flatMap(i -> i.treeResidentBytes().stream().boxed().findFirst()),
                    JsonGenerator::writeNumberField);
            writeOrNull(g, "memory_percent", p.flatMap(i -> i.treeMemoryPercent().stream().boxed().findFirst())
                    .map(StatusCommand::round), JsonGenerator::writeNumberField);
            writeOrNull(g, "command", p.flatMap(ProcessInfo::command), JsonGenerator::writeStringField);
            g.writeNumberField("processes", p.map(i -> 1 + i.descendants()).orElse(0));
            if (s.host().isPresent()) {
                g.writeStringField("host", s.host().get()); // the holder's, for a lock off this host (etcd)
            }
            if (s.fencingToken().isPresent()) {
                g.writeNumberField("fencing_token", s.fencingToken().getAsLong());
            }
            g.writeStringField("detail", s.detail());
            g.writeEndObject();
        }
        return w.toString();
    }

    /** Writes one field of a JSON object. */
    @FunctionalInterface
    private interface FieldWriter<T> {
        void write(JsonGenerator g, String field, T value) throws IOException;
    }

    /** Writes {@code field} with {@code writer} when there is a value, and as JSON null when there is none. */
    private static <T> void writeOrNull(JsonGenerator g, String field, Optional<T> value, FieldWriter<T> writer)
            throws IOException {
        if (value.isPresent()) {
            writer.write(g, field, value.get());
        } else {
            g.writeNullField(field);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

}
