package dev.pidlock.fcntl.spawn;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.util.List;

/**
 * C strings for {@code argv} and {@code envp}: one block of native memory holding the NULL-terminated array
 * of pointers followed by the NUL-terminated strings it points to, so that one object keeps all of it alive.
 */
final class CStrings {

    private CStrings() {
    }

    /**
     * @param s    a Java string
     * @param what what it is, for the message
     * @return its bytes ({@link RawBytes#encode}: UTF-8, or the bytes it was decoded from), NUL-terminated
     * @throws IllegalArgumentException when it contains NUL itself
     */
    static byte[] bytes(String s, String what) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character: " + s.replace('\0', '?'));
        }
        byte[] raw = RawBytes.encode(s);
        byte[] z = new byte[raw.length + 1];
        System.arraycopy(raw, 0, z, 0, raw.length);
        return z;
    }

    /**
     * @param strings the strings
     * @param what    what they are, for messages
     * @return {@code char *[]} ending with NULL, with the strings in the same block
     */
    static Memory array(List<String> strings, String what) {
        int ptr = Native.POINTER_SIZE;
        byte[][] encoded = new byte[strings.size()][];
        long total = (long) (strings.size() + 1) * ptr;
        for (int i = 0; i < encoded.length; i++) {
            encoded[i] = bytes(strings.get(i), what);
            total += encoded[i].length;
        }
        Memory m = new Memory(total);
        long at = (long) (strings.size() + 1) * ptr;
        for (int i = 0; i < encoded.length; i++) {
            m.write(at, encoded[i], 0, encoded[i].length);
            m.setPointer((long) i * ptr, m.share(at));
            at += encoded[i].length;
        }
        m.setPointer((long) encoded.length * ptr, null);
        return m;
    }
}
