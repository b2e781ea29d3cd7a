package dev.pidlock;

import dev.pidlock.internal.proc.Uptime;
import java.time.Duration;

/** Short human forms of durations for messages and status lines. */
final class Durations {
    private Durations() {
    }

    /** @return for example {@code 500ms}, {@code 30s}, {@code 2m 5s} */
    static String format(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (d.toMillis() % 1000 == 0 && s < 60) {
            return s + "s";
        }
        if (d.toMillis() < 59_950) {
            return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
        }
        return Uptime.format(d);
    }
}
