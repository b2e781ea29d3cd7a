package dev.pidlock.internal.naming;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Turns a lock name into one safe file name: no {@code /} or {@code \}, no NUL or other control character,
 * no {@code ..}, no leading dot, at most 255 bytes in UTF-8, ending in {@code .pid}. Every character that
 * is not allowed becomes {@code _}; a name that had to be shortened keeps a hash of the whole so that
 * different long names stay different.
 *
 * <p>Which characters are allowed does not depend on the JDK's Unicode version, so that every JDK maps a
 * name to the same file: controls, surrogates, private use, noncharacters and the line and paragraph
 * separators are fixed ranges, and format characters are those of Unicode 16 (a fixed list); a character
 * that a later Unicode assigns, or that this JDK does not know, is kept.
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

    /**
     * The format characters (general category Cf) of Unicode 16, as first/last pairs. Frozen: JDK 17 knows
     * Unicode 13 and JDK 25 Unicode 16, and asking {@link Character#getType} would map names containing
     * U+0890 or U+13439 differently on each.
     */
    private static final int[] FORMAT = {0x00AD, 0x00AD, 0x0600, 0x0605, 0x061C, 0x061C, 0x06DD, 0x06DD,
        0x070F, 0x070F, 0x0890, 0x0891, 0x08E2, 0x08E2, 0x180E, 0x180E, 0x200B, 0x200F, 0x202A, 0x202E,
        0x2060, 0x2064, 0x2066, 0x206F, 0xFEFF, 0xFEFF, 0xFFF9, 0xFFFB, 0x110BD, 0x110BD, 0x110CD, 0x110CD,
        0x13430, 0x1343F, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0001, 0xE0001, 0xE0020, 0xE007F};

    private static boolean allowed(int cp) {
        if (cp == '/' || cp == '\\' || cp == 0) {
            return false;
        }
        if (cp >= 0x80 && !FILE_NAME_ENCODING.canEncode(new String(Character.toChars(cp)))) {
            return false;
        }
        boolean control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        boolean surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        boolean privateUse = (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
        boolean noncharacter = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
        boolean separator = cp == 0x2028 || cp == 0x2029;
        return !(control || surrogate || privateUse || noncharacter || separator || format(cp));
    }

    private static boolean format(int cp) {
        for (int i = 0; i < FORMAT.length; i += 2) {
            if (cp >= FORMAT[i] && cp <= FORMAT[i + 1]) {
                return true;
            }
        }
        return false;
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
