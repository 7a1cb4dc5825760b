package io.stateguard.agent.versions;

import java.nio.charset.StandardCharsets;

/**
 * A parsed JSON Pointer (RFC 6901), prepared for matching against raw JSON bytes. Immutable.
 *
 * <p>Each reference token is kept unescaped ({@code ~1} is {@code /}, {@code ~0} is {@code ~}) as
 * UTF-8, because object member names are compared with the unescaped member name, and, when the token
 * is an array index ({@code 0} or a digit string without a leading zero that fits an {@code int}), as
 * that index. Whether a token is used as a name or an index depends on what the document holds at
 * that point, as the RFC specifies. The token {@code -} (the element after the last) and any other
 * non-index token never match an array element.
 *
 * <p>The empty pointer designates the whole document.
 */
final class JsonPointer {

    /** {@link #index(int)} of a token that is not an array index. */
    static final int NOT_AN_INDEX = -1;

    private final String text;
    private final byte[][] names;
    private final int[] indexes;

    private JsonPointer(String text, byte[][] names, int[] indexes) {
        this.text = text;
        this.names = names;
        this.indexes = indexes;
    }

    /**
     * Parses a pointer in its string form ({@code /meta/updatedAt}, {@code /a~1b/0}).
     *
     * @throws IllegalArgumentException with a message quoting the pointer if it is neither empty nor
     *     starts with {@code /}, if a {@code ~} is not followed by {@code 0} or {@code 1}, or if it
     *     contains an unpaired surrogate (which has no UTF-8 form)
     */
    static JsonPointer parse(String text) {
        if (text.isEmpty()) {
            return new JsonPointer(text, new byte[0][], new int[0]);
        }
        if (text.charAt(0) != '/') {
            throw invalid(text, "must be empty or start with '/' (did you mean '/" + text + "'?)");
        }
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '/') {
                count++;
            }
        }
        byte[][] names = new byte[count][];
        int[] indexes = new int[count];
        StringBuilder token = new StringBuilder();
        int t = 0;
        int i = 1;
        while (t < count) {
            token.setLength(0);
            for (; i < text.length() && text.charAt(i) != '/'; i++) {
                char c = text.charAt(i);
                if (c == '~') {
                    char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                    if (next != '0' && next != '1') {
                        throw invalid(text, "~ must be followed by 0 or 1");
                    }
                    token.append(next == '0' ? '~' : '/');
                    i++;
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        token.append(c).append(text.charAt(++i));
                    } else {
                        throw invalid(text, "unpaired surrogate at index " + i);
                    }
                } else {
                    token.append(c);
                }
            }
            i++; // the '/' before the next token
            String name = token.toString();
            names[t] = name.getBytes(StandardCharsets.UTF_8);
            indexes[t] = arrayIndex(name);
            t++;
        }
        return new JsonPointer(text, names, indexes);
    }

    /** The number of reference tokens; 0 for the whole document. */
    int size() {
        return names.length;
    }

    /** Token {@code i}, unescaped, as UTF-8. The array is shared: callers must not modify it. */
    byte[] name(int i) {
        return names[i];
    }

    /** Token {@code i} as an array index, or {@link #NOT_AN_INDEX}. */
    int index(int i) {
        return indexes[i];
    }

    /** The pointer as configured. */
    @Override
    public String toString() {
        return text;
    }

    /** RFC 6901 {@code array-index = %x30 / ( %x31-39 *(%x30-39) )}, limited to the int range. */
    private static int arrayIndex(String token) {
        int length = token.length();
        if (length == 0 || length > 10 || (token.charAt(0) == '0' && length > 1)) {
            return NOT_AN_INDEX;
        }
        long value = 0;
        for (int i = 0; i < length; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_AN_INDEX;
            }
            value = value * 10 + (c - '0');
        }
        return value <= Integer.MAX_VALUE ? (int) value : NOT_AN_INDEX;
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException("invalid JSON Pointer '" + text + "': " + problem);
    }
}
