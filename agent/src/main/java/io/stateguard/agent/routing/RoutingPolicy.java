package io.stateguard.agent.routing;

import io.stateguard.agent.config.Rule;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.keys.GlobPattern;
import io.stateguard.agent.keys.KeyMatcher;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The compiled form of the rules, as the hot path needs it: one matcher over every pattern of every
 * rule, and per rule index whether its reads are forced to the primary. Immutable.
 */
public final class RoutingPolicy {

    private final List<Rule> rules;

    private final KeyMatcher matcher;

    private final boolean[] forcePrimary;

    private final boolean anyPrimary;

    private RoutingPolicy(List<Rule> rules) {
        this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
        List<GlobPattern> patterns = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        this.forcePrimary = new boolean[rules.size()];
        boolean any = false;
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            for (GlobPattern pattern : rule.patterns()) {
                patterns.add(pattern);
                indexes.add(i);
            }
            forcePrimary[i] = rule.routing() == RoutingMode.PRIMARY;
            any |= forcePrimary[i];
        }
        int[] ruleIndexes = new int[indexes.size()];
        for (int i = 0; i < ruleIndexes.length; i++) {
            ruleIndexes[i] = indexes.get(i);
        }
        this.matcher = patterns.isEmpty() ? KeyMatcher.none() : KeyMatcher.of(patterns, ruleIndexes);
        this.anyPrimary = any;
    }

    /** Compiles rules; their order is their precedence. */
    public static RoutingPolicy of(List<Rule> rules) {
        return new RoutingPolicy(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    public KeyMatcher matcher() {
        return matcher;
    }

    /**
     * Per rule index: {@code true} when reads of that rule's keys go to the primary. The array is
     * shared, not copied, because it is read on every routed command: callers must not modify it.
     */
    boolean[] forcePrimaryByRule() {
        return forcePrimary;
    }

    /** Whether any rule routes to the primary; when none does, routing code can stop at once. */
    public boolean routesAnything() {
        return anyPrimary;
    }
}
