package dev.pidlock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Messages read the same whatever the default locale, and never show "60.0s". */
class DurationsLocaleTest {

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
