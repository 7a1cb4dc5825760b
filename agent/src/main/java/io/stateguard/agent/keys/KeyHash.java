package io.stateguard.agent.keys;

/**
 * A 64-bit hash (FNV-1a) of a key's bytes as sent to Redis, the same whether the key is held as bytes or as a
 * string sent in UTF-8: the write that set a key and a later read of it find the same entry whichever codec
 * each used.
 */
public final class KeyHash {

    /** No key: the command names none. */
    public static final long NONE = 0;

    /** The command names more than one key. */
    public static final long MANY = 1;

    private static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private KeyHash() {
    }

    /** The hash of {@code bytes[offset, offset + length)}; never {@link #NONE} or {@link #MANY}. */
    public static long of(byte[] bytes, int offset, int length) {
        long hash = OFFSET;
        for (int i = offset; i < offset + length; i++) {
            hash = (hash ^ (bytes[i] & 0xff)) * PRIME;
        }
        return fix(hash);
    }

    /** The hash of {@code text}'s UTF-8 bytes, without encoding it; equals {@link #of} of those bytes. */
    public static long ofUtf8(CharSequence text) {
        long hash = OFFSET;
        for (int i = 0, n = text.length(); i < n; i++) {
            int c = text.charAt(i);
            if (c < 0x80) {
                hash = (hash ^ c) * PRIME;
                continue;
            }
            if (Character.isHighSurrogate((char) c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, text.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = '?'; // what String.getBytes(UTF_8) sends for a lone surrogate
                hash = (hash ^ c) * PRIME;
                continue;
            }
            if (c < 0x800) {
                hash = (hash ^ (0xc0 | c >> 6)) * PRIME;
            } else if (c < 0x10000) {
                hash = (hash ^ (0xe0 | c >> 12)) * PRIME;
                hash = (hash ^ (0x80 | c >> 6 & 0x3f)) * PRIME;
            } else {
                hash = (hash ^ (0xf0 | c >> 18)) * PRIME;
                hash = (hash ^ (0x80 | c >> 12 & 0x3f)) * PRIME;
                hash = (hash ^ (0x80 | c >> 6 & 0x3f)) * PRIME;
            }
            hash = (hash ^ (0x80 | c & 0x3f)) * PRIME;
        }
        return fix(hash);
    }

    private static long fix(long hash) {
        return hash == NONE || hash == MANY ? hash + 2 : hash;
    }
}
