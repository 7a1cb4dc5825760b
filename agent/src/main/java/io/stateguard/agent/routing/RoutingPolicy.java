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

    private final boolean[] watchesReplicas;

    private final boolean[] causal;

    private final long[] maxLagNanos;

    private final boolean anyWatching;

    private final boolean anyCausal;

    private RoutingPolicy(List<Rule> rules) {
        this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
        List<GlobPattern> patterns = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        this.forcePrimary = new boolean[rules.size()];
        this.watchesReplicas = new boolean[rules.size()];
        this.causal = new boolean[rules.size()];
        this.maxLagNanos = new long[rules.size()];
        boolean any = false;
        boolean watching = false;
        boolean anyCausalRule = false;
        for (int i = 0; i < rules.size(); i++) {
            Rule rule = rules.get(i);
            for (GlobPattern pattern : rule.patterns()) {
                patterns.add(pattern);
                indexes.add(i);
            }
            forcePrimary[i] = rule.routing() == RoutingMode.PRIMARY;
            any |= forcePrimary[i];
            watchesReplicas[i] = rule.watchesReplicas();
            watching |= watchesReplicas[i];
            causal[i] = rule.routing() == RoutingMode.CAUSAL;
            anyCausalRule |= causal[i];
            maxLagNanos[i] = rule.maxReplicaLagNanos();
        }
        int[] ruleIndexes = new int[indexes.size()];
        for (int i = 0; i < ruleIndexes.length; i++) {
            ruleIndexes[i] = indexes.get(i);
        }
        this.matcher = patterns.isEmpty() ? KeyMatcher.none() : KeyMatcher.of(patterns, ruleIndexes);
        this.anyPrimary = any;
        this.anyWatching = watching;
        this.anyCausal = anyCausalRule;
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

    /** Per rule index: whether its reads depend on the replicas' offsets and lag (causal, replica-checked). */
    boolean[] watchesReplicasByRule() {
        return watchesReplicas;
    }

    /** Per rule index: whether it is a causal rule (its writes are remembered). */
    boolean[] causalByRule() {
        return causal;
    }

    boolean isCausal(int rule) {
        return causal[rule];
    }

    long maxLagNanos(int rule) {
        return maxLagNanos[rule];
    }

    /** Whether any rule routes to the primary or by the replicas' state; when none does, routing code can stop at once. */
    public boolean routesAnything() {
        return anyPrimary || anyWatching;
    }

    boolean routesToPrimary() {
        return anyPrimary;
    }

    /** Whether any rule is {@code causal} or {@code replica-checked}: the replication monitor is needed. */
    public boolean watchesReplicas() {
        return anyWatching;
    }

    /** Whether any rule is {@code causal}: writes of its keys are remembered. */
    public boolean remembersWrites() {
        return anyCausal;
    }
}
