package dev.pidlock.cli;

/**
 * Text from the user (a name, a path) made fit for one line of output: control characters ({@code \n},
 * {@code \t}, {@code \x1B}, C1 controls, DEL) and bytes that are not UTF-8 (lone surrogates from
 * {@link dev.pidlock.fcntl.spawn.RawBytes}) are written as C escapes, so that a name can never print two
 * lines or move the terminal's cursor.
 */
final class Printable {
    private Printable() {
    }

    /**
     * @param s any text
     * @return it with control characters and undecodable bytes escaped
     */
    static String of(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String escape = escape(s, i, c);
            if (escape != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * @param s any text
     * @return it with the bytes that were not UTF-8 (lone surrogates) as U+FFFD, which JSON can carry
     */
    static String forJson(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isSurrogate(c) && !paired(s, i, c) ? '\uFFFD' : c);
        }
        return sb.toString();
    }

    private static String escape(String s, int i, char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
            return String.format(java.util.Locale.ROOT, "\\x%02X", (int) c);
        }
        if (c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
            return String.format(java.util.Locale.ROOT, "\\x%02X", c & 0xFF);
        }
        if (Character.isSurrogate(c) && !paired(s, i, c)) {
            return String.format(java.util.Locale.ROOT, "\\u%04X", (int) c);
        }
        if (c == 0x2028 || c == 0x2029) {
            return String.format(java.util.Locale.ROOT, "\\u%04X", (int) c);
        }
        return null;
    }

    private static boolean paired(String s, int i, char c) {
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
