package io.stateguard.agent.keys;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keys given as strings, array slices and direct buffers, at the length bounds and at every UTF-8
 * encoding boundary, through the reference matcher and the automaton; and the automaton's cache
 * when it overflows.
 */
class KeyFormsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer direct(byte[] key) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(key.length + 4);
        buffer.put((byte) 'z').put((byte) 'z').put(key).put((byte) 'z');
        buffer.position(2).limit(2 + key.length);
        return buffer;
    }

    /** The rule for {@code key} through every form, which must agree. */
    private static int matchEveryWay(KeyMatcher matcher, String key) {
        byte[] bytes = utf8(key);
        int rule = matcher.match(key);
        assertThat(matcher.match(new StringBuilder(key))).as("CharSequence %s", key).isEqualTo(rule);
        assertThat(matcher.match(bytes)).as("bytes %s", key).isEqualTo(rule);
        byte[] padded = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, padded, 1, bytes.length);
        assertThat(matcher.match(padded, 1, bytes.length)).as("slice %s", key).isEqualTo(rule);
        ByteBuffer direct = direct(bytes);
        assertThat(matcher.match(direct)).as("direct %s", key).isEqualTo(rule);
        assertThat(direct.position()).isEqualTo(2);
        return rule;
    }

    @Test
    void charactersAtEachUtf8LengthBoundary() {
        String[] characters = {"\u007F", "\u0080", "\u07FF", "\u0800", "\uFFFF", "\uD800\uDC00", "\uDBFF\uDFFF"};
        for (String c : characters) {
            GlobPattern literal = GlobPattern.compile("k" + c);
            assertThat(literal.matches(utf8("k" + c))).as("literal U+%04X", c.codePointAt(0)).isTrue();
            KeyMatcher matcher = KeyMatcher.builder().add("k" + c, 0).add("k?", 1).add("k*", 2).build();
            assertThat(matchEveryWay(matcher, "k" + c)).as("U+%04X", c.codePointAt(0)).isEqualTo(0);
            assertThat(matchEveryWay(matcher, "k" + c + c)).isEqualTo(2);
        }
        KeyMatcher any = KeyMatcher.builder().add("k?", 0).build();
        for (String c : characters) {
            assertThat(matchEveryWay(any, "k" + c)).as("? takes U+%04X whole", c.codePointAt(0)).isEqualTo(0);
        }
    }

    @Test
    void anUnpairedSurrogateInAStringIsSentAsAQuestionMark() {
        KeyMatcher matcher = KeyMatcher.builder().add("a\\?b", 0).build();
        assertThat(matcher.match("a\uD800b")).isEqualTo(0);
        assertThat(matcher.match("a\uDC00b")).isEqualTo(0);
        assertThat(matcher.match(utf8("a\uD800b"))).as("String.getBytes does the same").isEqualTo(0);
        assertThat(matcher.match("a\uD800\uDC00b")).as("a pair is one 4-byte character").isEqualTo(-1);
    }

    @Test
    void keysAtTheLengthBoundsOfEachForm() {
        // three 3-byte characters: 9 bytes from a 3-char string, the shortest string that can match
        KeyMatcher euros = KeyMatcher.builder().add("\u20ac\u20ac\u20ac", 0).build();
        assertThat(matchEveryWay(euros, "\u20ac\u20ac\u20ac")).isEqualTo(0);
        assertThat(matchEveryWay(euros, "\u20ac\u20ac")).isEqualTo(-1);
        assertThat(matchEveryWay(euros, "\u20ac\u20ac\u20ac\u20ac")).isEqualTo(-1);
        KeyMatcher abc = KeyMatcher.builder().add("abc", 0).add("ab", 1).build();
        assertThat(matchEveryWay(abc, "abc")).isEqualTo(0);
        assertThat(matchEveryWay(abc, "ab")).isEqualTo(1);
        assertThat(matchEveryWay(abc, "a")).isEqualTo(-1);
        assertThat(matchEveryWay(abc, "abcd")).isEqualTo(-1);
        assertThat(matchEveryWay(abc, "")).isEqualTo(-1);
    }

    @Test
    void slicesOutsideTheArrayAreRejected() {
        KeyMatcher matcher = KeyMatcher.builder().add("a*", 0).build();
        byte[] key = utf8("abc");
        assertThat(matcher.match(key, 3, 0)).isEqualTo(-1);
        assertThat(matcher.match(key, 0, 3)).isEqualTo(0);
        for (int[] bad : new int[][] {{-1, 1}, {0, -1}, {1, 3}, {4, 0}}) {
            assertThatThrownBy(() -> matcher.match(key, bad[0], bad[1])).as("%d,%d", bad[0], bad[1])
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("offset " + bad[0] + ", length " + bad[1] + ", array length 3");
        }
    }

    @Test
    void questionMarkAgainstLeadAndContinuationBytes() {
        GlobPattern one = GlobPattern.compile("?");
        assertThat(one.matches(new byte[] {(byte) 0xC1})).as("C1 never leads: one character").isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xC2})).as("a lead byte cut off").isFalse();
        assertThat(one.matches(new byte[] {(byte) 0xC2, (byte) 0x80})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xDF, (byte) 0xBF})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xEF, (byte) 0xBF, (byte) 0xBF})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xF4, (byte) 0x80, (byte) 0x80, (byte) 0x80})).isTrue();
        assertThat(one.matches(new byte[] {(byte) 0xF5})).as("F5 never leads").isTrue();
        assertThat(one.matches(new byte[] {(byte) 0x80})).as("stray continuation").isTrue();
        GlobPattern two = GlobPattern.compile("??");
        assertThat(two.matches(new byte[] {(byte) 0xC2, 0x41})).as("C2 needs a continuation").isFalse();
        assertThat(two.matches(new byte[] {(byte) 0xC2, (byte) 0xC0})).isFalse();
        assertThat(two.matches(new byte[] {(byte) 0xE1, (byte) 0x80})).isFalse();
        assertThat(two.matches(new byte[] {0x41, (byte) 0xBF})).isTrue();
        assertThat(GlobPattern.continuationBytes(0x7F)).isZero();
        assertThat(GlobPattern.continuationBytes(0xC1)).isZero();
        assertThat(GlobPattern.continuationBytes(0xC2)).isEqualTo(1);
        assertThat(GlobPattern.continuationBytes(0xDF)).isEqualTo(1);
        assertThat(GlobPattern.continuationBytes(0xE0)).isEqualTo(2);
        assertThat(GlobPattern.continuationBytes(0xEF)).isEqualTo(2);
        assertThat(GlobPattern.continuationBytes(0xF0)).isEqualTo(3);
        assertThat(GlobPattern.continuationBytes(0xF4)).isEqualTo(3);
        assertThat(GlobPattern.continuationBytes(0xF5)).isZero();
        assertThat(GlobPattern.isContinuation(0x80)).isTrue();
        assertThat(GlobPattern.isContinuation(0xBF)).isTrue();
        assertThat(GlobPattern.isContinuation(0x7F)).isFalse();
        assertThat(GlobPattern.isContinuation(0xC0)).isFalse();
    }

    @Test
    void starsAndLiteralsAroundThem() {
        assertThat(GlobPattern.compile("a**b").matches(utf8("ab"))).isTrue();
        assertThat(GlobPattern.compile("a**b").matches(utf8("axxb"))).isTrue();
        assertThat(GlobPattern.compile("*ab").matches(utf8("aab"))).isTrue();
        assertThat(GlobPattern.compile("a*b*c").matches(utf8("abbc"))).isTrue();
        assertThat(GlobPattern.compile("a*b*c").matches(utf8("acb"))).isFalse();
        assertThat(GlobPattern.compile("*a").matches(utf8("b"))).isFalse();
        assertThat(GlobPattern.compile("a*").matches(utf8("a"))).isTrue();
        assertThat(GlobPattern.compile("\\\\").matches(utf8("\\"))).isTrue();
        assertThatThrownBy(() -> GlobPattern.compile("ab\\")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the '\\' at position 2 escapes nothing");
    }

    @Test
    void aFullCacheIsDroppedAndMatchingGoesOnCorrectly() {
        List<GlobPattern> patterns = List.of(GlobPattern.compile("a*:x"), GlobPattern.compile("b?c*"));
        KeyMatcher matcher = KeyMatcher.of(patterns, new int[] {0, 1}, 4);
        assertThat(matcher.cacheResets()).isZero();
        assertThat(matcher.cachedStates()).isEqualTo(1);
        String[] keys = {"a1:x", "a22:x", "bxc", "bxcd", "a:y", "c", "a333:x", "b\u00e9c", "byd"};
        int[] expected = {0, 0, 1, 1, -1, -1, 0, 1, -1};
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < keys.length; i++) {
                assertThat(matcher.match(keys[i])).as("%s, round %d", keys[i], round).isEqualTo(expected[i]);
                assertThat(matcher.match(direct(utf8(keys[i])))).isEqualTo(expected[i]);
                assertThat(matcher.cachedStates()).as("never above the budget").isBetween(1, 4);
            }
        }
        assertThat(matcher.cacheResets()).as("the budget of 4 states was exceeded again and again").isGreaterThan(1);
        KeyMatcher roomy = KeyMatcher.of(patterns, new int[] {0, 1}, 10_000);
        for (String key : keys) {
            roomy.match(key);
        }
        assertThat(roomy.cacheResets()).isZero();
        assertThat(roomy.cachedStates()).isGreaterThan(4);
    }

    /**
     * Exact cache accounting: a budget of 4 holds 4 states (the start state included) and the fifth drops
     * the cache; a state reached again along another path is found, not added twice.
     */
    @Test
    void theCacheHoldsExactlyItsBudgetAndFindsKnownStates() {
        // "?" only keeps the length filter from answering short keys before the walk.
        KeyMatcher m = KeyMatcher.of(List.of(GlobPattern.compile("abcdefgh"), GlobPattern.compile("?")),
                new int[] {0, 1}, 4);
        assertThat(m.match(utf8("abc"))).isEqualTo(-1);
        assertThat(m.cachedStates()).as("start, a, ab, abc").isEqualTo(4);
        assertThat(m.cacheResets()).as("4 states fit a budget of 4").isZero();
        assertThat(m.match(utf8("abcd"))).isEqualTo(-1);
        assertThat(m.cacheResets()).as("the fifth state drops the cache").isEqualTo(1);
        assertThat(m.cachedStates()).as("the new cache: start and abcd").isEqualTo(2);
        assertThat(m.match(utf8("abcdefgh"))).isEqualTo(0);
        assertThat(m.match(utf8("a"))).isEqualTo(1);

        KeyMatcher star = KeyMatcher.of(List.of(GlobPattern.compile("x*y")), new int[] {0}, 100);
        assertThat(star.match(utf8("xzzzy"))).isEqualTo(0);
        assertThat(star.cachedStates()).as("start, x* (reached again on each z), x*y").isEqualTo(3);
        assertThat(star.match(utf8("xqy"))).isEqualTo(0);
        assertThat(star.cachedStates()).as("x* reached from itself on q: found").isEqualTo(3);
        assertThat(star.cacheResets()).isZero();
    }
}
