package io.stateguard.agent.keys;

import java.util.Arrays;

/**
 * A validated, immutable glob pattern for Redis keys.
 *
 * <h2>Syntax</h2>
 * <ul>
 *   <li>{@code *} matches any run of bytes, including the empty run and including {@code :}
 *       (there is no separator character). Consecutive stars are equivalent to one.</li>
 *   <li>{@code ?} matches exactly one character, where a character is one UTF-8-encoded character as
 *       defined under <em>Characters</em> below.</li>
 *   <li>{@code \} escapes the next character (code point), which is then literal: {@code \*},
 *       {@code \?} and {@code \\} match a star, a question mark and a backslash; {@code \a} is simply
 *       {@code a}.</li>
 *   <li>Every other character is literal and matches exactly its UTF-8 encoding (case-sensitive, no
 *       normalization).</li>
 * </ul>
 * The empty pattern, a trailing lone {@code \}, and an unpaired surrogate {@code char} (which has no
 * UTF-8 encoding) are rejected by {@link #compile(String)}. Redis's {@code [...]} classes are not
 * supported: {@code [} and {@code ]} are literal.
 *
 * <h2>Keys</h2>
 * A key is a byte string: the key as encoded by the client's codec, which need not be UTF-8.
 * Matching is anchored at both ends: the pattern must match the whole key ({@code user:*} does not
 * match {@code xuser:1}; {@code user} does not match {@code user:1}).
 *
 * <h2>Characters (what {@code ?} matches)</h2>
 * At a key position holding byte {@code b}, {@code ?} matches:
 * <ul>
 *   <li>{@code b} alone if it is {@code 0x00-0x7F} (ASCII);</li>
 *   <li>{@code b} and the next 1, 2 or 3 bytes if {@code b} is a lead byte {@code 0xC2-0xDF},
 *       {@code 0xE0-0xEF} or {@code 0xF0-0xF4} respectively and those next bytes are all continuation
 *       bytes ({@code 0x80-0xBF}). If they are not (too few bytes left, or a non-continuation byte
 *       among them), {@code ?} does not match at that position at all;</li>
 *   <li>{@code b} alone if it cannot start a well-formed sequence: a stray continuation byte
 *       {@code 0x80-0xBF}, {@code 0xC0}, {@code 0xC1} or {@code 0xF5-0xFF}. Such a byte counts as one
 *       character, so {@code ?} still matches in keys that are not UTF-8.</li>
 * </ul>
 * Simplification: the second byte of a 3/4-byte sequence is not range-checked, so overlong forms
 * ({@code E0 80 80}), encoded surrogates ({@code ED A0 80}) and code points above U+10FFFF
 * ({@code F4 90 80 80}) count as one character. {@code *} is byte-wise and may stop inside a
 * character; a {@code ?} after it can then take a continuation byte as a stray one. For example {@code *?} matches
 * every non-empty key except one whose last byte is a lead byte ({@code 0xC2-0xF4}).
 *
 * <p>{@link #matches(byte[])} is a simple reference implementation; matching many patterns on the
 * hot path is {@link KeyMatcher}'s job.
 */
public final class GlobPattern {

    /** Op codes; ops {@code 0..255} are literal bytes. */
    static final int ANY = -1;
    static final int STAR = -2;

    private final String glob;
    /** The pattern as bytes and wildcards: literal byte {@code 0..255}, {@link #ANY} or {@link #STAR}. */
    private final int[] ops;

    private GlobPattern(String glob, int[] ops) {
        this.glob = glob;
        this.ops = ops;
    }

    /**
     * Compiles a glob (see the class comment for the syntax).
     *
     * @throws IllegalArgumentException if the glob is empty, ends with a lone {@code \}, or contains
     *     an unpaired surrogate; the message quotes the glob and gives the 0-based {@code char}
     *     position of the problem
     * @throws NullPointerException if {@code glob} is null
     */
    public static GlobPattern compile(String glob) {
        if (glob == null) {
            throw new NullPointerException("glob");
        }
        if (glob.isEmpty()) {
            throw invalid(glob, "a pattern must not be empty");
        }
        // Each char becomes at most 3 bytes (a surrogate pair: 2 chars, 4 bytes).
        int[] ops = new int[3 * glob.length()];
        int n = 0;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (n == 0 || ops[n - 1] != STAR) {
                    ops[n++] = STAR;
                }
                i++;
                continue;
            }
            if (c == '?') {
                ops[n++] = ANY;
                i++;
                continue;
            }
            if (c == '\\') {
                if (i + 1 == glob.length()) {
                    throw invalid(glob, "the '\\' at position " + i
                            + " escapes nothing (write \\\\ for a literal backslash)");
                }
                i++;
            }
            int cp = glob.codePointAt(i);
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                throw invalid(glob, String.format("unpaired surrogate U+%04X at position %d", cp, i));
            }
            n = encodeUtf8(cp, ops, n);
            i += Character.charCount(cp);
        }
        return new GlobPattern(glob, Arrays.copyOf(ops, n));
    }

    private static IllegalArgumentException invalid(String glob, String problem) {
        return new IllegalArgumentException("Invalid key pattern \"" + glob + "\": " + problem);
    }

    private static int encodeUtf8(int cp, int[] out, int n) {
        if (cp < 0x80) {
            out[n++] = cp;
        } else if (cp < 0x800) {
            out[n++] = 0xC0 | (cp >>> 6);
            out[n++] = 0x80 | (cp & 0x3F);
        } else if (cp < 0x10000) {
            out[n++] = 0xE0 | (cp >>> 12);
            out[n++] = 0x80 | ((cp >>> 6) & 0x3F);
            out[n++] = 0x80 | (cp & 0x3F);
        } else {
            out[n++] = 0xF0 | (cp >>> 18);
            out[n++] = 0x80 | ((cp >>> 12) & 0x3F);
            out[n++] = 0x80 | ((cp >>> 6) & 0x3F);
            out[n++] = 0x80 | (cp & 0x3F);
        }
        return n;
    }

    /** The pattern as written. */
    public String glob() {
        return glob;
    }

    /**
     * Whether this pattern matches the whole of {@code key}. Reference implementation for tests and
     * one-off checks: it allocates, and costs up to O(stars x key length x pattern length).
     */
    public boolean matches(byte[] key) {
        int[] failedFrom = new int[ops.length];
        Arrays.fill(failedFrom, key.length + 1);
        return matchFrom(0, key, 0, failedFrom);
    }

    /**
     * Backtracking over the stars. A star-free run of ops matches from a given key position in at
     * most one way (literals and {@code ?} each consume a determined number of bytes), so only the
     * length of each star is searched. The greedy "retry only the last star" shortcut is not valid
     * here, because a {@code ?} that starts one byte later can end three bytes earlier (a stray
     * continuation byte instead of a 4-byte character). Instead, memo: once the star at op
     * {@code p} has failed when starting at key position {@code k}, it fails from every later
     * position too (it has fewer choices), so {@code failedFrom[p]} bounds the search.
     */
    private boolean matchFrom(int p, byte[] key, int k, int[] failedFrom) {
        while (p < ops.length && ops[p] != STAR) {
            int consumed = consumed(ops[p], key, k);
            if (consumed < 0) {
                return false;
            }
            k += consumed;
            p++;
        }
        if (p == ops.length) {
            return k == key.length;
        }
        int last = Math.min(key.length, failedFrom[p] - 1);
        for (int j = k; j <= last; j++) {
            if (matchFrom(p + 1, key, j, failedFrom)) {
                return true;
            }
        }
        failedFrom[p] = Math.min(failedFrom[p], k);
        return false;
    }

    /** How many key bytes the literal or {@code ?} op consumes at {@code k}, or -1 if it does not match there. */
    private static int consumed(int op, byte[] key, int k) {
        if (k >= key.length) {
            return -1;
        }
        int b = key[k] & 0xFF;
        if (op != ANY) {
            return b == op ? 1 : -1;
        }
        int more = continuationBytes(b);
        for (int i = 1; i <= more; i++) {
            if (k + i >= key.length || !isContinuation(key[k + i] & 0xFF)) {
                return -1;
            }
        }
        return 1 + more;
    }

    /**
     * How many continuation bytes a character starting with byte {@code b} needs: 1, 2, 3 for lead
     * bytes; 0 for ASCII and for bytes that cannot start a well-formed sequence (one-byte characters).
     */
    static int continuationBytes(int b) {
        if (b < 0xC2) {
            return 0; // ASCII, stray continuation, C0, C1
        }
        if (b < 0xE0) {
            return 1;
        }
        if (b < 0xF0) {
            return 2;
        }
        return b < 0xF5 ? 3 : 0;
    }

    static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /** The compiled form, shared with {@link KeyMatcher}; callers must not modify it. */
    int[] ops() {
        return ops;
    }

    /** Fewest key bytes this pattern can match. */
    int minLength() {
        int n = 0;
        for (int op : ops) {
            if (op != STAR) {
                n++;
            }
        }
        return n;
    }

    /** Most key bytes this pattern can match; {@link Integer#MAX_VALUE} if it has a star. */
    int maxLength() {
        long n = 0;
        for (int op : ops) {
            if (op == STAR) {
                return Integer.MAX_VALUE;
            }
            n += op == ANY ? 4 : 1;
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobPattern && ((GlobPattern) o).glob.equals(glob);
    }

    @Override
    public int hashCode() {
        return glob.hashCode();
    }

    @Override
    public String toString() {
        return glob;
    }
}
