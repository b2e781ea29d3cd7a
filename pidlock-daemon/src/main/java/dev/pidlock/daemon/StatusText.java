package dev.pidlock.daemon;

import dev.pidlock.PidFileStatus;
import dev.pidlock.ProcessInfo;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/** The status line (daemonocle's) and the JSON of {@code pidlock status --json}, same fields. */
final class StatusText {
    private StatusText() {
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
        if (s.state() == PidFileStatus.State.RUNNING && s.pid().isPresent()) {
            sb.append("pid: ").append(s.pid().getAsLong()).append(", ");
        }
        sb.append("status: ").append(state(s));
        Optional<ProcessInfo> p = s.process();
        if (s.state() == PidFileStatus.State.RUNNING && p.isPresent()) {
            sb.append(", uptime: ").append(p.get().uptime().map(StatusText::uptime).orElse("unknown"));
            sb.append(", %cpu: ").append(percent(p.get().treeCpuPercent()));
            sb.append(", %mem: ").append(percent(p.get().treeMemoryPercent()));
        } else if (s.state() != PidFileStatus.State.ABSENT && !s.detail().isEmpty()) {
            sb.append(" (").append(s.detail()).append(')');
        }
        return sb.toString();
    }

    private static String percent(OptionalDouble v) {
        return v.isPresent() ? String.format(Locale.ROOT, "%.1f", v.getAsDouble()) : "unknown";
    }

    /** daemonocle's form: {@code 12d 3h 4m}, {@code 3h 4m}, {@code 4m}, {@code 5s}. */
    static String uptime(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        StringBuilder sb = new StringBuilder();
        if (days > 0) {
            sb.append(days).append("d ");
        }
        if (days > 0 || hours > 0) {
            sb.append(hours).append("h ");
        }
        if (s >= 60) {
            sb.append(minutes).append('m');
        } else {
            sb.append(s).append('s');
        }
        return sb.toString().trim();
    }

    static String json(String name, PidFileStatus s) {
        Optional<ProcessInfo> p = s.process();
        StringBuilder sb = new StringBuilder("{");
        field(sb, "name", str(name));
        field(sb, "pidfile", str(s.path().toString()));
        field(sb, "status", str(state(s)));
        field(sb, "pid", s.pid().isPresent() ? Long.toString(s.pid().getAsLong()) : "null");
        field(sb, "locked", switch (s.lock()) {
            case LOCKED -> "true";
            case UNLOCKED -> "false";
            case UNKNOWN -> "null";
        });
        StringBuilder holders = new StringBuilder("[");
        for (Long h : s.holders()) {
            holders.append(holders.length() > 1 ? "," : "").append(h);
        }
        field(sb, "holders", holders.append(']').toString());
        field(sb, "pidfile_pid", s.recordedPid().isPresent() ? Long.toString(s.recordedPid().getAsLong()) : "null");
        field(sb, "pid_confirmed", s.holders().isEmpty() ? "null" : Boolean.toString(s.pidConfirmed()));
        field(sb, "started_at", p.flatMap(ProcessInfo::startedAt).map(i -> str(i.toString())).orElse("null"));
        field(sb, "uptime_seconds", p.flatMap(ProcessInfo::uptime)
                .map(up -> Double.toString(up.toMillis() / 1000.0)).orElse("null"));
        field(sb, "cpu_percent", p.map(i -> num(i.treeCpuPercent())).orElse("null"));
        field(sb, "memory_rss_bytes", p.map(i -> i.treeResidentBytes().isPresent()
                ? Long.toString(i.treeResidentBytes().getAsLong()) : "null").orElse("null"));
        field(sb, "memory_percent", p.map(i -> num(i.treeMemoryPercent())).orElse("null"));
        field(sb, "command", p.flatMap(ProcessInfo::command).map(StatusText::str).orElse("null"));
        field(sb, "processes", Integer.toString(p.map(i -> 1 + i.descendants()).orElse(0)));
        field(sb, "detail", str(s.detail()));
        return sb.append('}').toString();
    }

    private static String num(OptionalDouble v) {
        return v.isPresent() ? Double.toString(Math.round(v.getAsDouble() * 10) / 10.0) : "null";
    }

    private static void field(StringBuilder sb, String key, String rawValue) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append(str(key)).append(':').append(rawValue);
    }

    static String str(String v) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
