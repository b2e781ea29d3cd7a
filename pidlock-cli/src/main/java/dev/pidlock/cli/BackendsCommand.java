package dev.pidlock.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pidlock.BackendInfo;
import dev.pidlock.PidLock;
import dev.pidlock.spi.Capability;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pidlock backends}: every backend found, available or not, and every backend provider that failed to
 * load (named by its class, with why).
 */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List every lock backend with its module, availability, cause, capabilities and priority,"
                + " and every backend that failed to load, with why.")
final class BackendsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON (a backend that failed to load has \"loaded\": false).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        List<BackendInfo> all = PidLock.backends();
        PrintWriter out = new PrintWriter(System.out, true);
        out.print(json ? toJson(all) + System.lineSeparator() : text(all));
        out.flush();
        return ExitCodes.OK;
    }

    static String text(List<BackendInfo> all) {
        StringWriter w = new StringWriter();
        PrintWriter out = new PrintWriter(w);
        for (BackendInfo b : all) {
            if (!b.loaded()) {
                out.printf("%-10s failed to load  %s%n", b.id(), b.module());
                out.println("           cause: " + b.cause().orElse("unknown"));
                continue;
            }
            out.printf("%-10s %-9s priority %3d  %s%s%n", b.id(), b.available() ? "available" : "unavailable",
                    b.priority(), b.module(), b.isDefault() ? "  (default)" : "");
            if (!b.available()) {
                out.println("           cause: " + b.cause().orElse("unknown"));
            }
            out.println("           " + b.capabilities().stream().sorted().map(BackendsCommand::capability)
                    .collect(Collectors.joining(", ")));
        }
        out.flush();
        return w.toString();
    }

    static String capability(Capability c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    static String toJson(List<BackendInfo> all) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (BackendInfo b : all) {
                g.writeStartObject();
                g.writeStringField("id", b.id());
                g.writeStringField("module", b.module());
                g.writeBooleanField("available", b.available());
                if (b.cause().isPresent()) {
                    g.writeStringField("cause", b.cause().get());
                } else {
                    g.writeNullField("cause");
                }
                g.writeArrayFieldStart("capabilities");
                for (Capability c : b.capabilities().stream().sorted().collect(Collectors.toList())) {
                    g.writeString(capability(c));
                }
                g.writeEndArray();
                if (b.loaded()) {
                    g.writeNumberField("priority", b.priority());
                } else {
                    g.writeNullField("priority");
                }
                g.writeBooleanField("default", b.isDefault());
                if (!b.loaded()) {
                    g.writeBooleanField("loaded", false);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        return w.toString();
    }
}
