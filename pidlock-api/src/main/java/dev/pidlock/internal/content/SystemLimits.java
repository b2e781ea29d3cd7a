package dev.pidlock.internal.content;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The largest pid this system can hand out, read once. */
public final class SystemLimits {
    private static final long PID_MAX = readPidMax();

    private SystemLimits() {
    }

    /** @return {@code /proc/sys/kernel/pid_max} on Linux, {@link PidContent#DEFAULT_PID_MAX} elsewhere */
    public static long pidMax() {
        return PID_MAX;
    }

    private static long readPidMax() {
        // Files.readString trusts the size /proc reports and may return a truncated value: read the lines.
        try {
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return PidContent.DEFAULT_PID_MAX;
        }
    }
}
