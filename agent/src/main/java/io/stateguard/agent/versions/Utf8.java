package io.stateguard.agent.versions;

import java.nio.ByteBuffer;

/** Strict UTF-8 validation (RFC 3629) over a buffer range, with absolute reads only. */
final class Utf8 {

    /** {@link #classify} result: every byte is ASCII. */
    static final int ASCII = 0;
    /** {@link #classify} result: well-formed UTF-8 with at least one non-ASCII character. */
    static final int NON_ASCII = 1;
    /** {@link #classify} result: not well-formed UTF-8. */
    static final int INVALID = -1;

    private Utf8() {
    }

    /**
     * The length (1 to 4) of the well-formed UTF-8 sequence starting at {@code i}, or 0 if the bytes
     * at {@code i} are not one: a stray continuation byte, {@code C0}/{@code C1}/{@code F5..FF}, an
     * overlong form, an encoded surrogate, a code point above U+10FFFF, or a sequence cut off by
     * {@code end}. Requires {@code i < end}.
     */
    static int sequenceLength(ByteBuffer b, int i, int end) {
        int b0 = b.get(i) & 0xFF;
        if (b0 < 0x80) {
            return 1;
        }
        if (b0 < 0xC2) {
            return 0;
        }
        if (b0 < 0xE0) {
            return i + 1 < end && isContinuation(b.get(i + 1)) ? 2 : 0;
        }
        if (b0 < 0xF0) {
            if (i + 2 >= end) {
                return 0;
            }
            int b1 = b.get(i + 1) & 0xFF;
            // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
            int min = b0 == 0xE0 ? 0xA0 : 0x80;
            int max = b0 == 0xED ? 0x9F : 0xBF;
            return b1 >= min && b1 <= max && isContinuation(b.get(i + 2)) ? 3 : 0;
        }
        if (b0 < 0xF5) {
            if (i + 3 >= end) {
                return 0;
            }
            int b1 = b.get(i + 1) & 0xFF;
            // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
            int min = b0 == 0xF0 ? 0x90 : 0x80;
            int max = b0 == 0xF4 ? 0x8F : 0xBF;
            return b1 >= min && b1 <= max && isContinuation(b.get(i + 2)) && isContinuation(b.get(i + 3))
                    ? 4 : 0;
        }
        return 0;
    }

    /** Whether {@code [start, end)} is {@link #ASCII}, {@link #NON_ASCII} UTF-8 or {@link #INVALID}. */
    static int classify(ByteBuffer b, int start, int end) {
        int result = ASCII;
        int i = start;
        while (i < end) {
            if (b.get(i) >= 0) {
                i++;
                continue;
            }
            int length = sequenceLength(b, i, end);
            if (length == 0) {
                return INVALID;
            }
            result = NON_ASCII;
            i += length;
        }
        return result;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
