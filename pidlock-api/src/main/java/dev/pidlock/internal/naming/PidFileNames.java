package dev.pidlock.internal.naming;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Turns a lock name into one safe file name of printable ASCII, the same in every locale, on every JDK and
 * every file system, so that two processes naming one lock always meet at one file.
 *
 * <p>The name (without a final {@code .pid}) is encoded to UTF-8, where a lone surrogate {@code U+DC80..U+DCFF}
 * stands for the byte 0x80..0xFF (as Python's {@code surrogateescape}: how the {@code pidlock} command keeps
 * argument bytes that are not UTF-8) and any other unpaired surrogate is {@code ?}; bytes 0x20..0x7E are kept except {@code /}, {@code \} and {@code %}, and every
 * other byte is written {@code %XX} with two upper-case hex digits; a leading {@code .} is written
 * {@code %2E}, so the file is never hidden and never {@code .} or {@code ..}. Then {@code .pid} is appended.
 * So {@code café} is {@code caf%C3%A9.pid} and {@code a/b} is {@code a%2Fb.pid}. Distinct names give distinct
 * files, except that {@code x} and {@code x.pid} are one file, the empty name is {@code pidlock.pid}, and a
 * name whose file name would pass 255 bytes is cut (never inside a {@code %XX}) and keeps a hash of the whole
 * name, so that different long names stay different.
 */
public final class PidFileNames {

    /** The suffix every pidfile name ends with. */
    public static final String SUFFIX = ".pid";

    /** The most bytes a file name may have on Linux, macOS and the BSDs. */
    public static final int MAX_BYTES = 255;

    private static final String EMPTY_NAME = "pidlock";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PidFileNames() {
    }

    /**
     * @param name any string
     * @return a single, safe path component for it, of printable ASCII
     */
    public static String sanitise(String name) {
        String base = name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
        byte[] bytes = bytes(base);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (kept(b) && !(i == 0 && b == '.')) {
                sb.append((char) b);
            } else {
                sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
            }
        }
        String clean = sb.length() == 0 ? EMPTY_NAME : sb.toString();
        int budget = MAX_BYTES - SUFFIX.length();
        if (clean.length() > budget) {
            String hash = "-" + crc(bytes);
            clean = cut(clean, budget - hash.length()) + hash;
        }
        return clean + SUFFIX;
    }

    /** UTF-8, each lone {@code U+DC80..U+DCFF} as the byte 0x80..0xFF it stands for. */
    private static byte[] bytes(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() + 8);
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                out.writeBytes(s.substring(run, i).getBytes(StandardCharsets.UTF_8));
                out.write(c & 0xFF);
                run = i + 1;
            }
        }
        out.writeBytes(s.substring(run).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A byte that stands for itself: printable ASCII but the separators and the escape character. */
    private static boolean kept(int b) {
        return b >= 0x20 && b <= 0x7E && b != '/' && b != '\\' && b != '%';
    }

    /** The longest prefix of {@code escaped} of at most {@code max} characters that ends between escapes. */
    private static String cut(String escaped, int max) {
        int end = max;
        int percent = escaped.lastIndexOf('%', end - 1);
        if (percent >= 0 && percent + 3 > end) {
            end = percent;
        }
        return escaped.substring(0, end);
    }

    private static String crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }
}
