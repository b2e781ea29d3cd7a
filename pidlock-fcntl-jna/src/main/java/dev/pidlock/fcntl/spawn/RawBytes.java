package dev.pidlock.fcntl.spawn;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of the system (arguments, environment, file names) as Java strings and back, without loss, whatever
 * the locale: UTF-8, where each byte that is not part of valid UTF-8 becomes the lone surrogate
 * {@code U+DC80..U+DCFF} ({@code U+DC00} plus the byte), as Python's {@code surrogateescape} does (PEP 383).
 * Valid UTF-8 never decodes to a lone surrogate, so {@link #encode} gives back exactly the bytes
 * {@link #decode} was given; a string that never came from bytes encodes as UTF-8 (other unpaired surrogates
 * as {@code ?}).
 */
public final class RawBytes {

    private RawBytes() {
    }

    /**
     * @param bytes bytes of the system
     * @return them as a string, each byte that is not valid UTF-8 as {@code U+DC00} plus the byte
     */
    public static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isUnderflow()) {
                break;
            }
            for (int i = 0; i < r.length(); i++) {
                out.put((char) (0xDC00 | (in.get() & 0xFF)));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /**
     * @param s a string, from {@link #decode} or not
     * @return its bytes: UTF-8, each lone {@code U+DC80..U+DCFF} as the byte it stands for
     */
    public static byte[] encode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 8);
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

    /**
     * @param s a string, from {@link #decode} or not
     * @return whether it stands for bytes that are not valid UTF-8
     */
    public static boolean hasEscapedBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                return true;
            }
        }
        return false;
    }
}
