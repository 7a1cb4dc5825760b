package io.stateguard.agent.versions;

import java.nio.ByteBuffer;

/**
 * Parses a plain decimal integer: an optional {@code -}, then one or more ASCII digits, and nothing
 * else (no {@code +}, no spaces, no separators). Leading zeros are allowed ({@code 007} is 7,
 * {@code -0} is 0). The whole signed 64-bit range is accepted, {@link Long#MIN_VALUE} included.
 *
 * <p>The value is accumulated negatively, as {@link Long#parseLong(String)} does, because the
 * negative range is one larger: overflow is detected exactly, before it happens. Every character is
 * checked even after an overflow, so a non-digit anywhere reports {@link VersionFailure#NOT_NUMERIC}
 * rather than {@link VersionFailure#OVERFLOW}.
 *
 * <p>The byte and char variants are the same algorithm; they are duplicated rather than abstracted
 * over an interface so that the byte variant (the hot path) neither allocates nor calls through a
 * megamorphic site.
 */
final class Decimal {

    private Decimal() {
    }

    /** Parses the bytes {@code [start, end)}; writes the version or the failure into {@code out}. */
    static boolean parse(ByteBuffer b, int start, int end, VersionReading out) {
        if (start >= end) {
            return out.fail(VersionFailure.NOT_NUMERIC);
        }
        int i = start;
        boolean negative = b.get(i) == '-';
        if (negative && ++i == end) {
            return out.fail(VersionFailure.NOT_NUMERIC);
        }
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multiplyMin = limit / 10;
        long result = 0;
        boolean overflow = false;
        for (; i < end; i++) {
            int digit = b.get(i) - '0';
            if (digit < 0 || digit > 9) {
                return out.fail(VersionFailure.NOT_NUMERIC);
            }
            if (!overflow) {
                if (result < multiplyMin) {
                    overflow = true;
                } else {
                    result *= 10;
                    if (result < limit + digit) {
                        overflow = true;
                    } else {
                        result -= digit;
                    }
                }
            }
        }
        if (overflow) {
            return out.fail(VersionFailure.OVERFLOW);
        }
        return out.succeed(negative ? result : -result);
    }

    /** Parses the chars {@code [start, end)}; writes the version or the failure into {@code out}. */
    static boolean parse(CharSequence s, int start, int end, VersionReading out) {
        if (start >= end) {
            return out.fail(VersionFailure.NOT_NUMERIC);
        }
        int i = start;
        boolean negative = s.charAt(i) == '-';
        if (negative && ++i == end) {
            return out.fail(VersionFailure.NOT_NUMERIC);
        }
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multiplyMin = limit / 10;
        long result = 0;
        boolean overflow = false;
        for (; i < end; i++) {
            int digit = s.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return out.fail(VersionFailure.NOT_NUMERIC);
            }
            if (!overflow) {
                if (result < multiplyMin) {
                    overflow = true;
                } else {
                    result *= 10;
                    if (result < limit + digit) {
                        overflow = true;
                    } else {
                        result -= digit;
                    }
                }
            }
        }
        if (overflow) {
            return out.fail(VersionFailure.OVERFLOW);
        }
        return out.succeed(negative ? result : -result);
    }
}
