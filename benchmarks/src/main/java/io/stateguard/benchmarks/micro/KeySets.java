package io.stateguard.benchmarks.micro;

import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.GlobPattern;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Pattern sets and keys for the decision benchmarks.
 *
 * <p>Pattern {@code i} of a set of {@code n} is {@code app:<i>:*:session} for even {@code i} (a star in the
 * middle: the whole key must be read) and {@code tenant<i>:state:*} for odd {@code i} (a prefix). Patterns are
 * spread over up to four rules ({@code i % 4}), all routing to the primary.
 *
 * <p>The <em>hit</em> key matches pattern 0: {@code app:0:<filler>:session}; the <em>miss</em> key is the same
 * key with its last byte changed, so that it follows pattern 0 to the very end and fails there. Both make the
 * matcher read every byte of the key: the worst case for a miss (a key that fails on its first bytes is cheaper).
 */
public final class KeySets {

    private static final String FILLER = "inst-0123456789abcdefghijklmnopqrstuvwxyz";

    private KeySets() {
    }

    public static String glob(int i) {
        return i % 2 == 0 ? "app:" + i + ":*:session" : "tenant" + i + ":state:*";
    }

    /** {@code patterns} globs over {@code min(patterns, 4)} rules, all {@code primary}. */
    public static List<Rule> rules(int patterns) {
        int ruleCount = Math.min(patterns, 4);
        List<List<GlobPattern>> globs = new ArrayList<>();
        for (int r = 0; r < ruleCount; r++) {
            globs.add(new ArrayList<>());
        }
        for (int i = 0; i < patterns; i++) {
            globs.get(i % ruleCount).add(GlobPattern.compile(glob(i)));
        }
        List<Rule> rules = new ArrayList<>();
        for (int r = 0; r < ruleCount; r++) {
            rules.add(new Rule(r == 0 ? Rule.DEFAULT_NAME : "rule" + r, globs.get(r), RoutingMode.PRIMARY));
        }
        return rules;
    }

    /** A key of exactly {@code length} bytes (at least 15) matching pattern 0 ({@code hit}) or no pattern. */
    public static String key(int length, boolean hit) {
        String head = "app:0:";
        String tail = hit ? ":session" : ":sessioN";
        int fill = length - head.length() - tail.length();
        if (fill < 1) {
            throw new IllegalArgumentException("key length " + length + " is below 15");
        }
        StringBuilder key = new StringBuilder(length).append(head);
        for (int i = 0; i < fill; i++) {
            key.append(FILLER.charAt(i % FILLER.length()));
        }
        String result = key.append(tail).toString();
        if (result.getBytes(StandardCharsets.UTF_8).length != length) {
            throw new AssertionError(result);
        }
        return result;
    }
}
