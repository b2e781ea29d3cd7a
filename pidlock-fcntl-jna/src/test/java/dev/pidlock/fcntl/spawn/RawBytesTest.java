package dev.pidlock.fcntl.spawn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RawBytesTest {

    @Test
    void validUtf8IsTheStringItself() {
        String s = "café \uD83D\uDE00 a/b";
        assertEquals(s, RawBytes.decode(s.getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), RawBytes.encode(s));
        assertFalse(RawBytes.hasEscapedBytes(s));
    }

    @Test
    void bytesThatAreNotUtf8ComeBackExactly() {
        byte[] raw = {'a', (byte) 0xFF, 'b', (byte) 0xC3, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC0, (byte) 0xAF};
        String s = RawBytes.decode(raw);
        assertEquals("a\uDCFFb\uDCC3\uDCED\uDCA0\uDC80\uDCC0\uDCAF", s);
        assertTrue(RawBytes.hasEscapedBytes(s));
        assertArrayEquals(raw, RawBytes.encode(s));
    }

    @Test
    void everyByteStringRoundTrips() {
        Random random = new Random(13);
        for (int i = 0; i < 20_000; i++) {
            byte[] raw = new byte[random.nextInt(12)];
            random.nextBytes(raw);
            assertArrayEquals(raw, RawBytes.encode(RawBytes.decode(raw)));
        }
    }
}
