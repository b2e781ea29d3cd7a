package dev.pidlock.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A name and the same name with {@code .pid} are one pidfile, also when they are long enough to be hashed. */
class PidFileNamesLongNameTest {

    @Test
    void longNameWithAndWithoutSuffixIsOneFile() {
        String name = "x".repeat(300);
        assertEquals(PidFileNames.sanitise(name), PidFileNames.sanitise(name + ".pid"));
        assertEquals(PidFileNames.sanitise("a"), PidFileNames.sanitise("a.pid"));
        String escaped = "caf\u00e9/".repeat(60);
        assertEquals(PidFileNames.sanitise(escaped), PidFileNames.sanitise(escaped + ".pid"));
    }
}
