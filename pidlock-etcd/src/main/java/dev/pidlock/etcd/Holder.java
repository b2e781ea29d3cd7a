package dev.pidlock.etcd;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * Who holds a key, as its value records it: host name, pid, the process's start time, the kernel's boot id and
 * the pid namespace the pid is a pid of, as JSON {@code {"host":..,"pid":..,"start":..,"boot_id":..,"pid_ns":..}}.
 * Containers share the host's boot id and often its host name; their pids are pids of another namespace, so a
 * holder is judged only in the judge's own pid namespace.
 *
 * @param host   the host name
 * @param pid    the holder's pid on that host
 * @param start  the holder process's start time, ISO-8601, or empty when unknown
 * @param bootId the host's boot id, or empty when unknown
 * @param pidNs  the pid namespace of {@code pid} ({@code pid:[INODE]}), or empty when unknown
 */
record Holder(String host, long pid, String start, String bootId, String pidNs) {

    /** The test-only host identity: replaces host name and boot id, so that JVMs of one machine pose as hosts. */
    static final String TEST_HOST_ID = "dev.pidlock.etcd.testHostId";

    private static final class This {
        static final Holder PROCESS = read();
    }

    /** @return this process, on this host */
    static Holder self() {
        return This.PROCESS;
    }

    private static Holder read() {
        ProcessHandle me = ProcessHandle.current();
        String start = me.info().startInstant().map(Instant::toString).orElse("");
        String test = System.getProperty(TEST_HOST_ID);
        if (test != null && !test.isBlank()) {
            return new Holder(test, me.pid(), start, test, pidNamespace());
        }
        String host = firstLine("/proc/sys/kernel/hostname");
        if (host.isEmpty()) {
            host = System.getenv().getOrDefault("HOSTNAME", "");
        }
        String boot = firstLine("/proc/sys/kernel/random/boot_id").toLowerCase(Locale.ROOT);
        return new Holder(host, me.pid(), start, boot, pidNamespace());
    }

    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    private static String firstLine(String file) {
        try (InputStream in = new FileInputStream(file)) {
            String text = new String(in.readNBytes(256), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return (nl >= 0 ? text.substring(0, nl) : text).strip();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    byte[] toJson() {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("host", host);
            g.writeNumberField("pid", pid);
            g.writeStringField("start", start);
            g.writeStringField("boot_id", bootId);
            g.writeStringField("pid_ns", pidNs);
            g.writeEndObject();
        });
    }

    /** @return the holder a key's value names; empty when the value is not such a record */
    static Optional<Holder> parse(byte[] value) {
        try {
            Object tree = Json.parse(value);
            var pid = Json.int64(tree, "pid");
            if (pid.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Holder(Json.str(tree, "host").orElse(""), pid.getAsLong(),
                    Json.str(tree, "start").orElse(""), Json.str(tree, "boot_id").orElse(""),
                    Json.str(tree, "pid_ns").orElse("")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * @return whether this holder's pid is a pid of this host, this boot and this pid namespace: same host name,
     *         boot id and pid namespace (a value without a pid namespace is never judged)
     */
    boolean onThisHost() {
        Holder me = self();
        return !host.isEmpty() && !bootId.isEmpty() && !pidNs.isEmpty() && host.equals(me.host)
                && bootId.equals(me.bootId) && pidNs.equals(me.pidNs);
    }

    /**
     * Whether this holder, a process of this host and boot, is certainly gone: no such pid, or a pid now used by a
     * process that started at another time. Never true for another host's holder, nor when the start times cannot
     * be compared.
     */
    boolean certainlyDead() {
        if (!onThisHost()) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        Optional<Instant> now = p.get().info().startInstant();
        if (now.isEmpty() || start.isEmpty()) {
            return false;
        }
        try {
            return Duration.between(Instant.parse(start), now.get()).abs().compareTo(Duration.ofSeconds(1)) > 0;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " on " + host;
    }
}
