package io.stateguard.agent.keys;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The length bounds a matcher uses to reject keys early, and the builder's contract. */
class PatternBoundsTest {

    @Test
    void lengthBoundsOfAPattern() {
        assertThat(GlobPattern.compile("a?b").minLength()).isEqualTo(3);
        assertThat(GlobPattern.compile("a?b").maxLength()).as("? is up to 4 bytes").isEqualTo(6);
        assertThat(GlobPattern.compile("???").maxLength()).isEqualTo(12);
        assertThat(GlobPattern.compile("ab*c").minLength()).isEqualTo(3);
        assertThat(GlobPattern.compile("ab*c").maxLength()).isEqualTo(Integer.MAX_VALUE);
        assertThat(GlobPattern.compile("*").minLength()).isZero();
        assertThat(GlobPattern.compile("\u00e9\\*").minLength()).as("bytes, not characters").isEqualTo(3);
        assertThat(GlobPattern.compile("\u00e9\\*").maxLength()).isEqualTo(3);
    }

    @Test
    void keysAtTheLengthBoundsStillMatch() {
        KeyMatcher threeChars = KeyMatcher.builder().add("???", 0).build();
        String emoji = "\uD83D\uDE00"; // 4 UTF-8 bytes
        assertThat(threeChars.match((emoji + emoji + emoji).getBytes(StandardCharsets.UTF_8))).isEqualTo(0);
        assertThat(threeChars.match((emoji + emoji).getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(threeChars.match("abc")).isEqualTo(0);
        assertThat(threeChars.match("ab")).isEqualTo(-1);
        assertThat(threeChars.match("abcd")).isEqualTo(-1);
        KeyMatcher exact = KeyMatcher.builder().add("abc", 0).add("abcdef", 1).build();
        assertThat(exact.match("abc")).isEqualTo(0);
        assertThat(exact.match("abcdef")).isEqualTo(1);
        assertThat(exact.match("abcdefg")).isEqualTo(-1);
        assertThat(exact.match("ab")).isEqualTo(-1);
        assertThat(exact.match(new byte[0])).isEqualTo(-1);
    }

    @Test
    void theBuilderKeepsEveryRuleIndexPastItsFirstCapacity() {
        KeyMatcher.Builder builder = KeyMatcher.builder();
        for (int i = 0; i < 70; i++) {
            assertThat(builder.add("k" + i + ":*", 100 + i)).isSameAs(builder);
        }
        KeyMatcher matcher = builder.build();
        for (int i = 0; i < 70; i++) {
            assertThat(matcher.match("k" + i + ":x")).as("k%d", i).isEqualTo(100 + i);
        }
        assertThat(matcher.toString()).isEqualTo("KeyMatcher[70 patterns]");
        assertThat(matcher.match("k70:x")).isEqualTo(-1);
    }

    @Test
    void theBuilderRejectsBadArguments() {
        assertThatThrownBy(() -> KeyMatcher.builder().add((GlobPattern) null, 0))
                .isInstanceOf(NullPointerException.class).hasMessage("pattern");
        assertThatThrownBy(() -> KeyMatcher.builder().add("a", -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("rule index is negative: -1");
        assertThat(KeyMatcher.builder().add("a", 0).build().match("a")).as("rule 0 is a rule").isEqualTo(0);
    }

    @Test
    void theLowestRuleWinsWhenSeveralMatch() {
        List<GlobPattern> patterns = new ArrayList<>();
        patterns.add(GlobPattern.compile("a:*"));
        patterns.add(GlobPattern.compile("a:b*"));
        patterns.add(GlobPattern.compile("*"));
        KeyMatcher matcher = KeyMatcher.of(patterns, new int[] {5, 2, 9});
        assertThat(matcher.match("a:bc")).isEqualTo(2);
        assertThat(matcher.match("a:c")).isEqualTo(5);
        assertThat(matcher.match("z")).isEqualTo(9);
        assertThat(matcher.match("")).isEqualTo(9);
    }

    @Test
    void equalPatternsAreEqual() {
        assertThat(GlobPattern.compile("a*")).isEqualTo(GlobPattern.compile("a*")).isNotEqualTo(GlobPattern.compile("a?"));
        assertThat(GlobPattern.compile("a*").hashCode()).isEqualTo(GlobPattern.compile("a*").hashCode());
        assertThat(GlobPattern.compile("a*")).isNotEqualTo("a*");
        assertThat(GlobPattern.compile("a\\*").toString()).isEqualTo("a\\*");
    }
}
