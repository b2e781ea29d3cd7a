package dev.pidlock.internal.naming;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Turns a lock name into one safe file name: no {@code /} or {@code \}, no NUL or other control character,
 * no {@code ..}, no leading dot, at most 255 bytes in UTF-8, ending in {@code .pid}. Every character that
 * is not allowed becomes {@code _}; a name that had to be shortened keeps a hash of the whole so that
 * different long names stay different.
 */
public final class PidFileNames {

    /** The suffix every pidfile name ends with. */
    public static final String SUFFIX = ".pid";

    /** The most bytes a file name may have on Linux, macOS and the BSDs. */
    public static final int MAX_BYTES = 255;

    private static final String EMPTY_NAME = "pidlock";

    /** The JVM's encoding of file names: a character it cannot encode cannot be in a path. */
    private static final java.nio.charset.CharsetEncoder FILE_NAME_ENCODING = fileNameEncoding();

    private static java.nio.charset.CharsetEncoder fileNameEncoding() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8")).newEncoder();
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8.newEncoder();
        }
    }

    private PidFileNames() {
    }

    /**
     * @param name any string
     * @return a single, safe path component for it
     */
    public static String sanitise(String name) {
        String base = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        StringBuilder sb = new StringBuilder(base.length());
        base.codePoints().forEach(cp -> sb.appendCodePoint(allowed(cp) ? cp : '_'));
        String clean = sb.toString();
        while (clean.contains("..")) {
            clean = clean.replace("..", "_.");
        }
        if (clean.startsWith(".")) {
            clean = "_" + clean.substring(1);
        }
        if (clean.isEmpty()) {
            clean = EMPTY_NAME;
        }
        int budget = MAX_BYTES - SUFFIX.length();
        if (utf8Length(clean) > budget) {
            String hash = "-" + crc(base);
            clean = truncateUtf8(clean, budget - hash.length()) + hash;
        }
        return clean + SUFFIX;
    }

    private static boolean allowed(int cp) {
        if (cp == '/' || cp == '\\' || cp == 0) {
            return false;
        }
        if (cp >= 0x80 && !FILE_NAME_ENCODING.canEncode(new String(Character.toChars(cp)))) {
            return false;
        }
        int type = Character.getType(cp);
        return type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE
                && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String truncateUtf8(String s, int maxBytes) {
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = utf8Length(new String(Character.toChars(cp)));
            if (used + len > maxBytes) {
                break;
            }
            out.appendCodePoint(cp);
            used += len;
            i += Character.charCount(cp);
        }
        String result = out.toString();
        return result.endsWith(".") ? result.substring(0, result.length() - 1) + "_" : result;
    }

    private static String crc(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
