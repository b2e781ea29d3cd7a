package dev.pidlock.internal.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Moved from {@code DurationsTest}: the one uptime formatter, which the command's status line uses too. */
class UptimeTest {

    @Test
    void uptimeShowsTheTwoLargestUnits() {
        assertEquals("0s", Uptime.format(Duration.ZERO));
        assertEquals("5s", Uptime.format(Duration.ofSeconds(5)));
        assertEquals("5s", Uptime.format(Duration.ofMillis(5999)));
        assertEquals("4m 5s", Uptime.format(Duration.ofSeconds(4 * 60 + 5)));
        assertEquals("1h 0m", Uptime.format(Duration.ofHours(1)));
        assertEquals("3h 4m", Uptime.format(Duration.ofSeconds(3 * 3600 + 4 * 60 + 5)));
        assertEquals("23h 59m", Uptime.format(Duration.ofDays(1).minusSeconds(1)));
        assertEquals("1d 0h", Uptime.format(Duration.ofDays(1)));
        assertEquals("3d 4h", Uptime.format(Duration.ofDays(3).plusHours(4).plusMinutes(5)));
        assertEquals("400d 0h", Uptime.format(Duration.ofDays(400)));
    }

    @Test
    void aNegativeUptimeIsZero() {
        assertEquals("0s", Uptime.format(Duration.ofSeconds(-30)));
    }
}
