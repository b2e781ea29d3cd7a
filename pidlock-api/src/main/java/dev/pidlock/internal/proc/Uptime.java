package dev.pidlock.internal.proc;

import java.time.Duration;

/** The one short form of how long a process has run, for status lines and messages. */
public final class Uptime {
    private Uptime() {
    }

    /**
     * @param d how long; a negative one counts as zero
     * @return its two largest units: {@code 3d 4h}, {@code 3h 4m}, {@code 4m 5s}, {@code 5s} (daemonocle's own
     *         form, {@code 12d 3h 4m} or {@code 4m}, is pidlock-daemon's)
     */
    public static String format(Duration d) {
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
