package io.stateguard.agent.versions;

import java.nio.ByteBuffer;

/**
 * Finds the integer a {@link JsonPointer} designates in a UTF-8 JSON document (RFC 8259), without
 * building a tree and without allocating (except for a quoted number that contains escapes).
 *
 * <h2>How far it reads</h2>
 * It walks the document from the start, descending only into the members and elements the pointer
 * names and skipping the others, and stops as soon as the result is decided: at the first byte that
 * is not whitespace after the designated value, or when an object ends without the wanted member.
 * Bytes after that point are never examined, so a document that is malformed only after the version
 * still yields the version, and a 64 KiB document whose version comes first costs as much as a tiny
 * one.
 *
 * <p>The common case, a one-token pointer such as {@code /version} into a flat object held in a heap
 * buffer, is read first by a narrower loop over the buffer's array (printable ASCII names and strings
 * without escapes, integers, literals before the member; an integer of at most 18 digits as the
 * member's value). It answers only when it finds the version, which is then exactly what the general
 * scan below would find; on anything else the general scan starts over and decides.
 *
 * <h2>How strict it is</h2>
 * Everything it does read is validated: structure (braces, brackets, colons, commas, no trailing
 * comma), string escapes, no raw control characters in strings, literals, the number grammar, and
 * UTF-8 well-formedness ({@link VersionFailure#BINARY} where a byte sequence is not UTF-8, {@link
 * VersionFailure#MALFORMED_JSON} for any other violation). The designated value must be complete:
 * followed, after optional whitespace, by a {@code ,} or its container's closing bracket, or by the
 * end for the whole document ({@code json:}); so a truncated document never yields a truncated number
 * (<code>&#123;"version":12</code> is malformed, not version 12 of 123). A leading byte-order mark is
 * skipped. Skipped values may nest at most {@value #MAX_DEPTH} levels; deeper nesting is reported as
 * malformed, because skipping is recursive and runs on an event-loop thread's stack.
 *
 * <h2>Names and duplicates</h2>
 * Member names are compared after unescaping ({@code "a\/b"} is the member {@code a/b}, and so is
 * the same name with the slash as a {@code \}{@code u} escape); a name holding an unpaired {@code
 * \}{@code uD800}-style surrogate escape matches no pointer token. With duplicate names the first
 * member wins (RFC 8259 leaves duplicates to the implementation).
 *
 * <h2>Which values are versions</h2>
 * <ul>
 *   <li>a JSON number without fraction and exponent: {@code 7}, {@code -7}, the whole signed 64-bit
 *       range ({@link VersionFailure#OVERFLOW} beyond it);</li>
 *   <li>a number with a fraction or an exponent is {@link VersionFailure#NOT_NUMERIC}, even when it
 *       is integral ({@code 7.0}, {@code 7e0}): accepting those would invite binary floating point
 *       (timestamps written as doubles lose precision above 2<sup>53</sup>) and two spellings of one
 *       version;</li>
 *   <li>a string whose (unescaped) content is a plain integer, {@code "7"} or {@code "-7"}, read by
 *       {@link Decimal}'s rules (leading zeros allowed, no sign {@code +}, no spaces). Many
 *       applications store versions and epoch-millisecond timestamps as strings, often precisely
 *       because JavaScript numbers cannot hold 64-bit integers; a string that is not a plain integer
 *       is {@link VersionFailure#NOT_NUMERIC};</li>
 *   <li>an object, array, {@code true}, {@code false} or {@code null} is {@link
 *       VersionFailure#WRONG_TYPE}.</li>
 * </ul>
 */
final class JsonScanner {

    /** The deepest nesting accepted inside a skipped value. */
    static final int MAX_DEPTH = 256;

    // Scan results: a position >= 0, or one of these.
    private static final int MALFORMED = -1;
    private static final int BINARY = -2;
    private static final int NOT_FOUND = -3;

    /** {@link #scanArray} index meaning "skip the whole array". */
    private static final int SKIP = -2;

    private JsonScanner() {
    }

    /** Reads the version {@code pointer} designates in {@code [start, end)} of {@code b} into {@code out}. */
    static boolean extract(JsonPointer pointer, ByteBuffer b, int start, int end, VersionReading out) {
        if (pointer.size() == 1 && b.hasArray()) {
            int offset = b.arrayOffset();
            if (topLevelInteger(b.array(), offset + start, offset + end, pointer.name(0), out)) {
                return true;
            }
        }
        return scan(pointer, b, start, end, out);
    }

    /**
     * The common case, on the bytes of a heap buffer: a one-token pointer to an integer member of a
     * top-level object, preceded only by members whose names and string values are printable ASCII
     * without escapes and whose values are such strings, integers or literals. Returns {@code true}
     * with the version in {@code out} when it found the member's value complete, which is exactly
     * when {@link #scan} would find the same version (the bytes read are a subset of what the general
     * scan accepts, read by the same rules); returns {@code false}, with {@code out} untouched, on
     * anything else (escapes, non-ASCII, nesting, fractions, 19 or more digits, a missing member, any
     * error), and the general scan decides from the start.
     */
    private static boolean topLevelInteger(byte[] a, int p, int end, byte[] name, VersionReading out) {
        if (end - p >= 3 && a[p] == (byte) 0xEF && a[p + 1] == (byte) 0xBB && a[p + 2] == (byte) 0xBF) {
            p += 3;
        }
        p = skipWhitespace(a, p, end);
        if (p >= end || a[p] != '{') {
            return false;
        }
        p = skipWhitespace(a, p + 1, end);
        while (true) {
            if (p >= end || a[p] != '"') {
                return false;
            }
            int nameStart = p + 1;
            p = skipPlainString(a, p, end);
            if (p < 0) {
                return false;
            }
            boolean wanted = p - 1 - nameStart == name.length && sameBytes(a, nameStart, name);
            p = skipWhitespace(a, p, end);
            if (p >= end || a[p] != ':') {
                return false;
            }
            p = skipWhitespace(a, p + 1, end);
            if (p >= end) {
                return false;
            }
            byte c = a[p];
            if (wanted) {
                return plainInteger(a, p, end, out);
            }
            if (c == '"') {
                p = skipPlainString(a, p, end);
            } else if (c == '-' || isDigit(c)) {
                p = skipPlainInteger(a, p, end);
            } else if (c == 't') {
                p = skipLiteral(a, p, end, TRUE);
            } else if (c == 'f') {
                p = skipLiteral(a, p, end, FALSE);
            } else if (c == 'n') {
                p = skipLiteral(a, p, end, NULL);
            } else {
                return false;
            }
            if (p < 0) {
                return false;
            }
            p = skipWhitespace(a, p, end);
            if (p >= end || a[p] != ',') {
                return false; // the end of the object (not found) or an error: the general scan reports it
            }
            p = skipWhitespace(a, p + 1, end);
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    /**
     * The version at {@code p} if it is a JSON integer of at most 18 digits (no overflow possible)
     * followed, after optional whitespace, by {@code ,} or <code>&#125;</code>; else {@code false}.
     */
    private static boolean plainInteger(byte[] a, int p, int end, VersionReading out) {
        boolean negative = a[p] == '-';
        int i = negative ? p + 1 : p;
        if (i >= end) {
            return false;
        }
        long value = 0;
        if (a[i] == '0') {
            i++;
        } else {
            int first = i;
            while (i < end && isDigit(a[i])) {
                value = value * 10 + (a[i] - '0');
                i++;
            }
            if (i == first || i - first > 18) {
                return false;
            }
        }
        i = skipWhitespace(a, i, end);
        if (i >= end || (a[i] != ',' && a[i] != '}')) {
            return false; // a fraction, an exponent, a leading zero, a truncated document...
        }
        return out.succeed(negative ? -value : value);
    }

    /** Skips a string of printable ASCII without escapes starting at {@code p} (a {@code "}); -1 otherwise. */
    private static int skipPlainString(byte[] a, int p, int end) {
        for (int i = p + 1; i < end; i++) {
            byte c = a[i];
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20 || c == '\\') { // control characters, escapes and (negative) non-ASCII bytes
                return -1;
            }
        }
        return -1;
    }

    /** Skips {@code -? (0 | [1-9][0-9]*)} at {@code p}; -1 if there is none. What follows is the caller's check. */
    private static int skipPlainInteger(byte[] a, int p, int end) {
        int i = a[p] == '-' ? p + 1 : p;
        if (i >= end || !isDigit(a[i])) {
            return -1;
        }
        if (a[i] == '0') {
            return i + 1;
        }
        while (i < end && isDigit(a[i])) {
            i++;
        }
        return i;
    }

    private static int skipLiteral(byte[] a, int p, int end, byte[] literal) {
        if (end - p < literal.length) {
            return -1;
        }
        for (int k = 1; k < literal.length; k++) {
            if (a[p + k] != literal[k]) {
                return -1;
            }
        }
        return p + literal.length;
    }

    private static boolean sameBytes(byte[] a, int from, byte[] name) {
        for (int k = 0; k < name.length; k++) {
            if (a[from + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    private static int skipWhitespace(byte[] a, int i, int end) {
        while (i < end && isWhitespace(a[i])) {
            i++;
        }
        return i;
    }

    /** The general scan: any pointer, any buffer, every error reported. */
    private static boolean scan(JsonPointer pointer, ByteBuffer b, int start, int end, VersionReading out) {
        int p = start;
        if (end - p >= 3 && b.get(p) == (byte) 0xEF && b.get(p + 1) == (byte) 0xBB && b.get(p + 2) == (byte) 0xBF) {
            p += 3;
        }
        p = skipWhitespace(b, p, end);
        byte closer = 0; // what must follow the target: the end (0) or its container's closing bracket
        for (int t = 0, n = pointer.size(); t < n; t++) {
            if (p >= end) {
                return out.fail(VersionFailure.MALFORMED_JSON);
            }
            byte c = b.get(p);
            if (c == '{') {
                p = scanObject(b, p, end, pointer.name(t), 0);
                closer = '}';
            } else if (c == '[') {
                p = scanArray(b, p, end, pointer.index(t), 0);
                closer = ']';
            } else {
                // A scalar cannot be descended into; it must still be a valid one.
                int after = skipValue(b, p, end, 0);
                p = after < 0 ? after : NOT_FOUND;
            }
            if (p < 0) {
                return out.fail(failure(p));
            }
        }
        return readVersion(b, p, end, closer, out);
    }

    /** Reads the value at {@code p} as a version; {@code closer} is as for {@link #completes}. */
    private static boolean readVersion(ByteBuffer b, int p, int end, byte closer, VersionReading out) {
        if (p >= end) {
            return out.fail(VersionFailure.MALFORMED_JSON);
        }
        byte c = b.get(p);
        if (c == '-' || isDigit(c)) {
            int integerEnd = scanInteger(b, p, end);
            if (integerEnd < 0) {
                return out.fail(VersionFailure.MALFORMED_JSON);
            }
            int numberEnd = scanFractionAndExponent(b, integerEnd, end);
            if (numberEnd < 0) {
                return out.fail(VersionFailure.MALFORMED_JSON);
            }
            int next = completes(b, numberEnd, end, closer);
            if (next < 0) {
                return out.fail(failure(next));
            }
            if (numberEnd != integerEnd) {
                return out.fail(VersionFailure.NOT_NUMERIC);
            }
            return Decimal.parse(b, p, integerEnd, out);
        }
        if (c == '"') {
            int after = skipString(b, p, end);
            if (after < 0) {
                return out.fail(failure(after));
            }
            int next = completes(b, after, end, closer);
            if (next < 0) {
                return out.fail(failure(next));
            }
            return readQuotedInteger(b, p + 1, after - 1, out);
        }
        if (c == '{' || c == '[') {
            return out.fail(VersionFailure.WRONG_TYPE);
        }
        if (c == 't' || c == 'f' || c == 'n') {
            int after = skipLiteral(b, p, end);
            if (after < 0) {
                return out.fail(VersionFailure.MALFORMED_JSON);
            }
            int next = completes(b, after, end, closer);
            if (next < 0) {
                return out.fail(failure(next));
            }
            return out.fail(VersionFailure.WRONG_TYPE);
        }
        return out.fail(failure(unexpected(b, p, end)));
    }

    /** Reads the content {@code [from, to)} of a validated JSON string as a plain integer. */
    private static boolean readQuotedInteger(ByteBuffer b, int from, int to, VersionReading out) {
        int i = from;
        while (i < to && b.get(i) != '\\') {
            i++;
        }
        if (i == to) {
            return Decimal.parse(b, from, to, out); // no escapes: the common case, no allocation
        }
        // Escapes in a number are odd but legal (a \-u escape of the digit 7 is "7"): unescape, then parse.
        StringBuilder text = new StringBuilder(to - from);
        i = from;
        while (i < to) {
            byte c = b.get(i);
            if (c < 0) {
                return out.fail(VersionFailure.NOT_NUMERIC); // non-ASCII: not a digit
            }
            if (c != '\\') {
                text.append((char) c);
                i++;
            } else if (b.get(i + 1) == 'u') {
                text.append((char) hex4(b, i + 2));
                i += 6;
            } else {
                text.append((char) simpleEscape(b.get(i + 1)));
                i += 2;
            }
        }
        return Decimal.parse(text, 0, text.length(), out);
    }

    /**
     * Scans the object starting at {@code p} (a <code>&#123;</code>). With {@code name == null} skips it and
     * returns the position after its <code>&#125;</code>; otherwise returns the position of the value of the
     * first member named {@code name}, or {@link #NOT_FOUND}. Errors are negative.
     */
    private static int scanObject(ByteBuffer b, int p, int end, byte[] name, int depth) {
        if (depth >= MAX_DEPTH) {
            return MALFORMED;
        }
        int i = skipWhitespace(b, p + 1, end);
        if (i >= end) {
            return MALFORMED;
        }
        if (b.get(i) == '}') {
            return name == null ? i + 1 : NOT_FOUND;
        }
        while (true) {
            if (b.get(i) != '"') {
                return unexpected(b, i, end);
            }
            int nameStart = i + 1;
            i = skipString(b, i, end);
            if (i < 0) {
                return i;
            }
            boolean wanted = name != null && nameEquals(b, nameStart, i - 1, name);
            i = skipWhitespace(b, i, end);
            if (i >= end) {
                return MALFORMED;
            }
            if (b.get(i) != ':') {
                return unexpected(b, i, end);
            }
            i = skipWhitespace(b, i + 1, end);
            if (wanted) {
                return i; // readVersion or the next token validates the value itself
            }
            i = skipValue(b, i, end, depth + 1);
            if (i < 0) {
                return i;
            }
            i = skipWhitespace(b, i, end);
            if (i >= end) {
                return MALFORMED;
            }
            byte c = b.get(i);
            if (c == '}') {
                return name == null ? i + 1 : NOT_FOUND;
            }
            if (c != ',') {
                return unexpected(b, i, end);
            }
            i = skipWhitespace(b, i + 1, end);
            if (i >= end) {
                return MALFORMED;
            }
        }
    }

    /**
     * Scans the array starting at {@code p} (a {@code [}). With {@code index == SKIP} skips it and
     * returns the position after its {@code ]}; otherwise returns the position of element {@code index},
     * or {@link #NOT_FOUND} (always for {@link JsonPointer#NOT_AN_INDEX}). Errors are negative.
     */
    private static int scanArray(ByteBuffer b, int p, int end, int index, int depth) {
        if (depth >= MAX_DEPTH) {
            return MALFORMED;
        }
        if (index == JsonPointer.NOT_AN_INDEX) {
            return NOT_FOUND; // decided: no need to read the elements
        }
        int i = skipWhitespace(b, p + 1, end);
        if (i >= end) {
            return MALFORMED;
        }
        if (b.get(i) == ']') {
            return index == SKIP ? i + 1 : NOT_FOUND;
        }
        for (int element = 0; ; element++) {
            if (element == index) {
                return i;
            }
            i = skipValue(b, i, end, depth + 1);
            if (i < 0) {
                return i;
            }
            i = skipWhitespace(b, i, end);
            if (i >= end) {
                return MALFORMED;
            }
            byte c = b.get(i);
            if (c == ']') {
                return index == SKIP ? i + 1 : NOT_FOUND;
            }
            if (c != ',') {
                return unexpected(b, i, end);
            }
            i = skipWhitespace(b, i + 1, end);
            if (i >= end) {
                return MALFORMED;
            }
        }
    }

    /** Skips the value at {@code p}; returns the position after it, or an error. */
    private static int skipValue(ByteBuffer b, int p, int end, int depth) {
        if (p >= end) {
            return MALFORMED;
        }
        byte c = b.get(p);
        switch (c) {
            case '"':
                return skipString(b, p, end);
            case '{':
                return scanObject(b, p, end, null, depth);
            case '[':
                return scanArray(b, p, end, SKIP, depth);
            case 't':
            case 'f':
            case 'n':
                return skipLiteral(b, p, end);
            default:
                if (c == '-' || isDigit(c)) {
                    int integerEnd = scanInteger(b, p, end);
                    return integerEnd < 0 ? integerEnd : scanFractionAndExponent(b, integerEnd, end);
                }
                return unexpected(b, p, end);
        }
    }

    /** Skips the string starting at {@code p} (a {@code "}); returns the position after its closing quote. */
    private static int skipString(ByteBuffer b, int p, int end) {
        int i = p + 1;
        while (i < end) {
            byte c = b.get(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                if (i + 1 >= end) {
                    return MALFORMED;
                }
                byte e = b.get(i + 1);
                if (e == 'u') {
                    if (i + 6 > end || hex4(b, i + 2) < 0) {
                        return MALFORMED;
                    }
                    i += 6;
                } else if (simpleEscape(e) >= 0) {
                    i += 2;
                } else {
                    return MALFORMED;
                }
            } else if (c >= 0) {
                if (c < 0x20) {
                    return MALFORMED; // raw control characters must be escaped
                }
                i++;
            } else {
                int length = Utf8.sequenceLength(b, i, end);
                if (length == 0) {
                    return BINARY;
                }
                i += length;
            }
        }
        return MALFORMED;
    }

    /**
     * Whether the validated string content {@code [from, to)} equals {@code name} (UTF-8) once
     * unescaped. A {@code \}{@code u} escape becomes the UTF-8 form of its code point; an unpaired
     * surrogate escape has none, so such a member matches nothing.
     */
    private static boolean nameEquals(ByteBuffer b, int from, int to, byte[] name) {
        int j = 0;
        int i = from;
        while (i < to) {
            byte c = b.get(i);
            if (c != '\\') {
                if (j == name.length || name[j] != c) {
                    return false;
                }
                j++;
                i++;
                continue;
            }
            int codePoint;
            if (b.get(i + 1) != 'u') {
                codePoint = simpleEscape(b.get(i + 1));
                i += 2;
            } else {
                codePoint = hex4(b, i + 2);
                i += 6;
                if (Character.isHighSurrogate((char) codePoint)) {
                    if (i + 6 > to || b.get(i) != '\\' || b.get(i + 1) != 'u') {
                        return false;
                    }
                    int low = hex4(b, i + 2);
                    if (!Character.isLowSurrogate((char) low)) {
                        return false;
                    }
                    codePoint = Character.toCodePoint((char) codePoint, (char) low);
                    i += 6;
                } else if (Character.isLowSurrogate((char) codePoint)) {
                    return false;
                }
            }
            j = matchUtf8(name, j, codePoint);
            if (j < 0) {
                return false;
            }
        }
        return j == name.length;
    }

    /** Matches the UTF-8 form of {@code codePoint} at {@code name[j]}; returns the next j or -1. */
    private static int matchUtf8(byte[] name, int j, int codePoint) {
        int length = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        if (j + length > name.length) {
            return -1;
        }
        if (length == 1) {
            return name[j] == (byte) codePoint ? j + 1 : -1;
        }
        int leadMark = length == 2 ? 0xC0 : length == 3 ? 0xE0 : 0xF0;
        if (name[j] != (byte) (leadMark | (codePoint >>> (6 * (length - 1))))) {
            return -1;
        }
        for (int k = 1; k < length; k++) {
            if (name[j + k] != (byte) (0x80 | ((codePoint >>> (6 * (length - 1 - k))) & 0x3F))) {
                return -1;
            }
        }
        return j + length;
    }

    /** The char a one-letter escape stands for, or -1 if {@code e} is not one. */
    private static int simpleEscape(byte e) {
        switch (e) {
            case '"':
                return '"';
            case '\\':
                return '\\';
            case '/':
                return '/';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            default:
                return -1;
        }
    }

    /** The value of the four hex digits at {@code i}, or -1. Requires {@code i + 4 <= end}. */
    private static int hex4(ByteBuffer b, int i) {
        int value = 0;
        for (int k = 0; k < 4; k++) {
            int c = b.get(i + k);
            int digit;
            if (c >= '0' && c <= '9') {
                digit = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                digit = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                digit = c - 'A' + 10;
            } else {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /** Skips {@code true}, {@code false} or {@code null} at {@code p}. */
    private static int skipLiteral(ByteBuffer b, int p, int end) {
        byte c = b.get(p);
        String literal = c == 't' ? "true" : c == 'f' ? "false" : "null";
        int length = literal.length();
        if (end - p < length) {
            return MALFORMED;
        }
        for (int k = 1; k < length; k++) {
            if (b.get(p + k) != literal.charAt(k)) {
                return MALFORMED;
            }
        }
        return p + length;
    }

    /** {@code -? (0 | [1-9][0-9]*)} at {@code p}; returns the position after it. */
    private static int scanInteger(ByteBuffer b, int p, int end) {
        int i = p;
        if (b.get(i) == '-' && ++i >= end) {
            return MALFORMED;
        }
        byte c = b.get(i);
        if (c == '0') {
            return i + 1; // a digit after it is caught by the caller's delimiter check
        }
        if (c < '1' || c > '9') {
            return MALFORMED;
        }
        i++;
        while (i < end && isDigit(b.get(i))) {
            i++;
        }
        return i;
    }

    /** {@code (. [0-9]+)? ([eE] [+-]? [0-9]+)?} at {@code i}; returns the position after it. */
    private static int scanFractionAndExponent(ByteBuffer b, int i, int end) {
        if (i < end && b.get(i) == '.') {
            int digits = ++i;
            while (i < end && isDigit(b.get(i))) {
                i++;
            }
            if (i == digits) {
                return MALFORMED;
            }
        }
        if (i < end && (b.get(i) == 'e' || b.get(i) == 'E')) {
            i++;
            if (i < end && (b.get(i) == '+' || b.get(i) == '-')) {
                i++;
            }
            int digits = i;
            while (i < end && isDigit(b.get(i))) {
                i++;
            }
            if (i == digits) {
                return MALFORMED;
            }
        }
        return i;
    }

    /**
     * Checks that the target value, which ended at {@code i}, is complete: followed, after optional
     * whitespace, by a {@code ,} or {@code closer}, or by the end when {@code closer} is 0 (the whole
     * document). Returns a non-negative position if so, else an error.
     */
    private static int completes(ByteBuffer b, int i, int end, byte closer) {
        i = skipWhitespace(b, i, end);
        if (i >= end) {
            return closer == 0 ? i : MALFORMED;
        }
        byte c = b.get(i);
        return closer != 0 && (c == ',' || c == closer) ? i : unexpected(b, i, end);
    }

    /** The error for an unexpected byte at {@code i}: {@link #BINARY} if it starts no UTF-8 sequence. */
    private static int unexpected(ByteBuffer b, int i, int end) {
        return b.get(i) < 0 && Utf8.sequenceLength(b, i, end) == 0 ? BINARY : MALFORMED;
    }

    private static int skipWhitespace(ByteBuffer b, int i, int end) {
        while (i < end && isWhitespace(b.get(i))) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static VersionFailure failure(int code) {
        switch (code) {
            case BINARY:
                return VersionFailure.BINARY;
            case NOT_FOUND:
                return VersionFailure.NOT_FOUND;
            default:
                return VersionFailure.MALFORMED_JSON;
        }
    }
}
