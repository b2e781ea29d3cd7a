package dev.pidlock;

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
        return uptime(d);
    }

    /** @return the daemonocle style: {@code 3d 4h}, {@code 3h 4m}, {@code 4m 5s}, {@code 5s} */
    static String uptime(Duration d) {
        long s = Math.max(0, d.toSeconds());
        long days = s / 86400;
        long hours = s % 86400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        if (minutes > 0) {
            return minutes + "m " + seconds + "s";
        }
        return seconds + "s";
    }
}
