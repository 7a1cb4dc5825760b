package io.stateguard.agent.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class GlobPatternTest {

    static boolean matches(String glob, String key) {
        return GlobPattern.compile(glob).matches(key.getBytes(UTF_8));
    }

    static boolean matches(String glob, int... keyBytes) {
        return GlobPattern.compile(glob).matches(bytes(keyBytes));
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void literalsMatchTheWholeKeyOnly() {
        assertThat(matches("user:1", "user:1")).isTrue();
        assertThat(matches("user:1", "user:2")).isFalse();
        assertThat(matches("user:1", "user:10")).isFalse();
        assertThat(matches("user:1", "xuser:1")).isFalse();
        assertThat(matches("user:1", "user:")).isFalse();
        assertThat(matches("user:1", "")).isFalse();
        assertThat(matches("User:1", "user:1")).as("case-sensitive").isFalse();
        assertThat(matches("[a]", "[a]")).as("brackets are literal").isTrue();
        assertThat(matches("[a]", "a")).isFalse();
    }

    @Test
    void starMatchesAnyRunIncludingEmptyAndColons() {
        assertThat(matches("*", "")).isTrue();
        assertThat(matches("*", "anything:at:all")).isTrue();
        assertThat(matches("user:*", "user:")).isTrue();
        assertThat(matches("user:*", "user:1:cart")).isTrue();
        assertThat(matches("user:*", "user")).isFalse();
        assertThat(matches("user:*", "xuser:1")).isFalse();
        assertThat(matches("*:lock", ":lock")).isTrue();
        assertThat(matches("*:lock", "a:b:lock")).isTrue();
        assertThat(matches("*:lock", "a:lock:x")).isFalse();
        assertThat(matches("user:*:cart", "user::cart")).isTrue();
        assertThat(matches("user:*:cart", "user:1:2:cart")).isTrue();
        assertThat(matches("user:*:cart", "user:1:cart:x")).isFalse();
        assertThat(matches("user:*:cart", "user:cart")).isFalse();
        assertThat(matches("*a*b*c*", "xxaxxbxxcxx")).isTrue();
        assertThat(matches("*a*b*c*", "abc")).isTrue();
        assertThat(matches("*a*b*c*", "cba")).isFalse();
        assertThat(matches("a*a*a", "aaa")).isTrue();
        assertThat(matches("a*a*a", "aa")).isFalse();
        assertThat(matches("**", "x")).isTrue();
        assertThat(matches("a**b", "ab")).isTrue();
        assertThat(matches("*ab", "aab")).as("retry after a partial match").isTrue();
    }

    @Test
    void questionMarkMatchesExactlyOneCharacter() {
        assertThat(matches("?", "a")).isTrue();
        assertThat(matches("?", "")).isFalse();
        assertThat(matches("?", "ab")).isFalse();
        assertThat(matches("a?c", "abc")).isTrue();
        assertThat(matches("a?c", "a:c")).isTrue();
        assertThat(matches("a?c", "ac")).isFalse();
        assertThat(matches("??", "ab")).isTrue();
        assertThat(matches("*?", "")).isFalse();
        assertThat(matches("?*?", "ab")).isTrue();
    }

    @Test
    void questionMarkMatchesOneMultiByteCharacter() {
        for (String c : new String[] {"é", "€", "😀"}) {
            assertThat(matches("?", c)).as(c).isTrue();
            assertThat(matches("??", c)).as(c).isFalse();
            assertThat(matches("x?y", "x" + c + "y")).as(c).isTrue();
            assertThat(matches("x??y", "x" + c + "y")).as(c).isFalse();
            assertThat(matches("?", c + c)).as(c).isFalse();
        }
        assertThat("😀".getBytes(UTF_8)).hasSize(4);
        assertThat(matches("caf?", "café")).isTrue();
        assertThat(matches("café", "café")).isTrue();
        assertThat(matches("caf?", "cafe")).isTrue();
        assertThat(matches("?€?", "a€😀")).isTrue();
        assertThat(matches("\\😀", "😀")).as("an escaped surrogate pair is one literal").isTrue();
    }

    @Test
    void questionMarkOnBytesThatAreNotUtf8() {
        // A byte that cannot start a well-formed sequence is one character.
        assertThat(matches("?", 0xFF)).isTrue();
        assertThat(matches("?", 0x80)).as("stray continuation").isTrue();
        assertThat(matches("?", 0xC0)).isTrue();
        assertThat(matches("?", 0xC1)).isTrue();
        assertThat(matches("?", 0xF5)).isTrue();
        assertThat(matches("??", 0x80, 0x80)).isTrue();
        assertThat(matches("?", 0x80, 0x80)).isFalse();
        assertThat(matches("a?b", 'a', 0xFF, 'b')).isTrue();
        // A lead byte without enough continuation bytes is not matched by '?' ...
        assertThat(matches("?", 0xC3)).isFalse();
        assertThat(matches("??", 0xC3, 'A')).isFalse();
        assertThat(matches("?", 0xE2, 0x82)).isFalse();
        assertThat(matches("??", 0xE2, 0x82)).isFalse();
        assertThat(matches("?", 0xF0, 0x9F, 0x98)).isFalse();
        assertThat(matches("?A", 0xF0, 0x9F, 0x98, 'A')).isFalse();
        // ... but '*' matches anything, and may stop inside a character.
        assertThat(matches("*", 0xC3)).isTrue();
        assertThat(matches("*", 0xFF, 0x00, 0x80)).isTrue();
        assertThat(matches("*?", 0xC3, 'A')).isTrue();
        assertThat(matches("*?", 0xE2, 0x82)).as("'?' takes the 0x82 as stray").isTrue();
        assertThat(matches("*?", 'a', 0xC3)).as("last byte is a lone lead").isFalse();
        assertThat(matches("x*", 'x', 0xC3)).isTrue();
        // Simplification, documented: overlong and surrogate encodings count as one character.
        assertThat(matches("?", 0xE0, 0x80, 0x80)).isTrue();
        assertThat(matches("?", 0xED, 0xA0, 0x80)).isTrue();
    }

    @Test
    void aLaterQuestionMarkCanEndEarlier() {
        // star = F0, '?' = 9F (stray), star = empty, '???' = 98 80 'A'. Needs backtracking over the
        // first star although the second one already matched: a greedy glob matcher says false.
        byte[] key = bytes(0xF0, 0x9F, 0x98, 0x80, 'A');
        assertThat(GlobPattern.compile("*?*???").matches(key)).isTrue();
        assertThat(GlobPattern.compile("*?*????").matches(key)).isFalse();
    }

    @Test
    void escapes() {
        assertThat(matches("\\*", "*")).isTrue();
        assertThat(matches("\\*", "a")).isFalse();
        assertThat(matches("\\*", "")).isFalse();
        assertThat(matches("a\\*", "a*")).isTrue();
        assertThat(matches("a\\*", "ab")).isFalse();
        assertThat(matches("\\?", "?")).isTrue();
        assertThat(matches("\\?", "a")).isFalse();
        assertThat(matches("\\\\", "\\")).isTrue();
        assertThat(matches("\\\\", "\\\\")).isFalse();
        assertThat(matches("\\\\*", "\\abc")).as("escaped backslash, then a star").isTrue();
        assertThat(matches("\\a", "a")).isTrue();
        assertThat(matches("\\**", "*abc")).isTrue();
        assertThat(matches("\\**", "abc")).isFalse();
        assertThat(matches("*\\*", "abc*")).isTrue();
        assertThat(matches("\\é", "é")).isTrue();
    }

    @Test
    void trailingBackslashIsAnError() {
        assertThatThrownBy(() -> GlobPattern.compile("user:\\"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"user:\\\"")
                .hasMessageContaining("position 5");
        assertThatThrownBy(() -> GlobPattern.compile("\\"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 0");
        assertThat(GlobPattern.compile("a\\\\").glob()).isEqualTo("a\\\\");
    }

    @Test
    void emptyPatternIsAnError() {
        assertThatThrownBy(() -> GlobPattern.compile(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"\"")
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> GlobPattern.compile(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void unpairedSurrogateIsAnError() {
        assertThatThrownBy(() -> GlobPattern.compile("ab\uD800"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+D800")
                .hasMessageContaining("position 2");
        assertThatThrownBy(() -> GlobPattern.compile("\\\uDC00x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position 1");
    }

    @Test
    void valueSemantics() {
        GlobPattern p = GlobPattern.compile("user:*");
        assertThat(p.glob()).isEqualTo("user:*");
        assertThat(p).hasToString("user:*").isEqualTo(GlobPattern.compile("user:*"))
                .hasSameHashCodeAs(GlobPattern.compile("user:*"))
                .isNotEqualTo(GlobPattern.compile("user:?"));
    }

    @Test
    void emptyKey() {
        assertThat(matches("*", "")).isTrue();
        assertThat(matches("**", "")).isTrue();
        assertThat(matches("?", "")).isFalse();
        assertThat(matches("a", "")).isFalse();
    }

    @Test
    void longKeysDoNotBlowUp() {
        byte[] key = new byte[1 << 20];
        java.util.Arrays.fill(key, (byte) 'a');
        assertThat(GlobPattern.compile("*a").matches(key)).isTrue();
        assertThat(GlobPattern.compile("*b*").matches(key)).isFalse();
        assertThat(GlobPattern.compile("a*a*a*b").matches(key)).as("memoized, not exponential").isFalse();
        assertThat(GlobPattern.compile("*?*?*?").matches(key)).isTrue();
    }

    /** Differential test of the reference implementation against a naive, independent one. */
    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void agreesWithNaiveRecursiveMatcher() {
        Random random = new Random(42);
        String[] patternAlphabet = {"a", "b", "*", "*", "?", "?", "\\*", "\\\\", "é", "€", "😀"};
        int[][] keyPieces = {{'a'}, {'b'}, {'*'}, {'\\'}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC},
            {0xF0, 0x9F, 0x98, 0x80}, {0xC3}, {0xA9}, {0x80}, {0xFF}, {0xF0}};
        int checked = 0;
        for (int trial = 0; trial < 4000; trial++) {
            StringBuilder glob = new StringBuilder();
            for (int i = 1 + random.nextInt(6); i > 0; i--) {
                glob.append(patternAlphabet[random.nextInt(patternAlphabet.length)]);
            }
            GlobPattern pattern = GlobPattern.compile(glob.toString());
            for (int k = 0; k < 10; k++) {
                byte[] key = randomKey(random, keyPieces, random.nextInt(7));
                assertThat(pattern.matches(key)).as("%s vs %s", glob, hex(key))
                        .isEqualTo(Naive.matches(glob.toString(), key));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(40_000);
    }

    static byte[] randomKey(Random random, int[][] pieces, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            for (int b : pieces[random.nextInt(pieces.length)]) {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    static String hex(byte[] key) {
        StringBuilder s = new StringBuilder();
        for (byte b : key) {
            s.append(String.format("%02X ", b & 0xFF));
        }
        return s.toString().trim();
    }

    /** Exponential but obviously right: parses the glob itself and tries every split. */
    static final class Naive {
        private static final Object STAR = new Object();
        private static final Object ANY = new Object();

        static boolean matches(String glob, byte[] key) {
            List<Object> tokens = new ArrayList<>();
            for (int i = 0; i < glob.length(); ) {
                int cp = glob.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == '*') {
                    tokens.add(STAR);
                } else if (cp == '?') {
                    tokens.add(ANY);
                } else {
                    if (cp == '\\') {
                        cp = glob.codePointAt(i);
                        i += Character.charCount(cp);
                    }
                    tokens.add(new String(Character.toChars(cp)).getBytes(UTF_8));
                }
            }
            return match(tokens, 0, key, 0);
        }

        private static boolean match(List<Object> tokens, int t, byte[] key, int k) {
            if (t == tokens.size()) {
                return k == key.length;
            }
            Object token = tokens.get(t);
            if (token == STAR) {
                for (int j = k; j <= key.length; j++) {
                    if (match(tokens, t + 1, key, j)) {
                        return true;
                    }
                }
                return false;
            }
            if (token == ANY) {
                int length = charLength(key, k);
                return length > 0 && match(tokens, t + 1, key, k + length);
            }
            byte[] literal = (byte[]) token;
            if (k + literal.length > key.length) {
                return false;
            }
            for (int i = 0; i < literal.length; i++) {
                if (key[k + i] != literal[i]) {
                    return false;
                }
            }
            return match(tokens, t + 1, key, k + literal.length);
        }

        /** Length of the character at k per the documented rules, or -1. */
        private static int charLength(byte[] key, int k) {
            if (k >= key.length) {
                return -1;
            }
            int b = key[k] & 0xFF;
            int length;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
            } else {
                return 1;
            }
            if (k + length > key.length) {
                return -1;
            }
            for (int i = 1; i < length; i++) {
                if ((key[k + i] & 0xFF) < 0x80 || (key[k + i] & 0xFF) > 0xBF) {
                    return -1;
                }
            }
            return length;
        }
    }

    /** A run of stars compiles to one star op, exactly as a single star does. */
    @Test
    void runsOfStarsCompileToOneStar() {
        assertThat(GlobPattern.compile("a**b").ops()).containsExactly(GlobPattern.compile("a*b").ops());
        assertThat(GlobPattern.compile("***").ops()).containsExactly(GlobPattern.STAR);
        assertThat(GlobPattern.compile("a*?*b").ops()).containsExactly('a', GlobPattern.STAR, GlobPattern.ANY,
                GlobPattern.STAR, 'b');
    }

    /** The first and the last surrogate code units, unpaired, are rejected like every one between them. */
    @Test
    void unpairedSurrogatesAtBothEndsOfTheRangeAreRejected() {
        assertThatThrownBy(() -> GlobPattern.compile("a\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate U+D800 at position 1");
        assertThatThrownBy(() -> GlobPattern.compile("a\uDFFF")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unpaired surrogate U+DFFF at position 1");
        assertThat(GlobPattern.compile("\uD7FF").ops()).containsExactly(0xED, 0x9F, 0xBF);
        assertThat(GlobPattern.compile("\uE000").ops()).containsExactly(0xEE, 0x80, 0x80);
    }

    /**
     * A {@code ?} over a lead byte needs every continuation byte, the last one included; a cut-off
     * sequence is no character for {@code ?}, not even with a star after it (called directly: no length filter).
     */
    @Test
    void aQuestionMarkNeedsEveryContinuationByteOfItsCharacter() {
        assertThat(matches("?", 0xE2, 0x82, 0x41)).as("last continuation byte missing").isFalse();
        assertThat(matches("?", 0xF0, 0x9F, 0x98, 0x41)).as("last continuation byte missing").isFalse();
        assertThat(matches("?", 0xE2, 0x82, 0xAC)).isTrue();
        assertThat(matches("?*", 0xC3, 0x41)).as("a cut-off sequence consumes nothing").isFalse();
        assertThat(matches("?*", 0xE2, 0x82)).isFalse();
        assertThat(matches("?*", 0xC3, 0xA9, 0x41)).isTrue();
        assertThat(matches("x?*", 0x78, 0xC3)).isFalse();
    }
}
