package dev.pidlock.daemon;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusTextTest {
    @Test
    void uptimeIsWrittenAsDaemonoclePrintsIt() {
        assertEquals("12d 3h 4m", StatusText.uptime(Duration.ofDays(12).plusHours(3).plusMinutes(4).plusSeconds(5)));
        assertEquals("3h 4m", StatusText.uptime(Duration.ofHours(3).plusMinutes(4)));
        assertEquals("4m", StatusText.uptime(Duration.ofMinutes(4).plusSeconds(59)));
        assertEquals("5s", StatusText.uptime(Duration.ofSeconds(5)));
        assertEquals("0s", StatusText.uptime(Duration.ofSeconds(-5)));
    }

    @Test
    void jsonStringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", StatusText.str("a\"b\\c\n\u0001"));
    }
}
