package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DurationsTest {

    private Locale saved;

    /** Durations.format uses the default locale for "1.5s"; pin one so the expectations hold everywhere. */
    @BeforeEach
    void pinLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
    }

    @AfterEach
    void restoreLocale() {
        Locale.setDefault(saved);
    }

    @Test
    void underASecondIsMilliseconds() {
        assertEquals("0ms", Durations.format(Duration.ZERO));
        assertEquals("1ms", Durations.format(Duration.ofMillis(1)));
        assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
        assertEquals("999ms", Durations.format(Duration.ofMillis(999)));
        assertEquals("999ms", Durations.format(Duration.ofNanos(999_999_999)));
    }

    @Test
    void wholeSecondsUnderAMinuteAreSeconds() {
        assertEquals("1s", Durations.format(Duration.ofSeconds(1)));
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("59s", Durations.format(Duration.ofSeconds(59)));
    }

    @Test
    void fractionalSecondsUnderAMinuteHaveOneDecimal() {
        assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
        assertEquals("2.3s", Durations.format(Duration.ofMillis(2300)));
        assertEquals("10.1s", Durations.format(Duration.ofMillis(10_100)));
    }

    @Test
    void aMinuteOrMoreIsInUptimeStyle() {
        assertEquals("1m 0s", Durations.format(Duration.ofSeconds(60)));
        assertEquals("2m 5s", Durations.format(Duration.ofSeconds(125)));
        assertEquals("3h 4m", Durations.format(Duration.ofHours(3).plusMinutes(4).plusSeconds(59)));
        assertEquals("3d 4h", Durations.format(Duration.ofDays(3).plusHours(4).plusMinutes(30)));
    }

    /** Messages read the same whatever the default locale, and never show "60.0s". */
    @Test
    void formatIgnoresTheDefaultLocaleAndRoundsIntoMinutes() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
        } finally {
            Locale.setDefault(before);
        }
        assertEquals("59s", Durations.format(Duration.ofMillis(59_950)));
    }
}
