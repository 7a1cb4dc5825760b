package io.stateguard.agent.routing;

import io.stateguard.agent.telemetry.Telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts reads the agent sent to the primary, per rule index. Read by telemetry as
 * {@code stateguard.reads.routed}.
 */
public final class RoutingStats {

    private final LongAdder[] routedByRule;

    RoutingStats(int rules) {
        routedByRule = new LongAdder[rules];
        for (int i = 0; i < rules; i++) {
            routedByRule[i] = new LongAdder();
        }
    }

    void increment(int rule) {
        routedByRule[rule].increment();
        // Telemetry resolves its backend lazily; a routing-only agent (no version checks) has no
        // other occasion. One volatile read while settled, a throttled look-up otherwise.
        Telemetry.touch();
    }

    /** Number of rules counted. */
    public int rules() {
        return routedByRule.length;
    }

    /** Reads of rule {@code rule} (an index into the policy's rules) sent to the primary so far. */
    public long routed(int rule) {
        return routedByRule[rule].sum();
    }

    public long routedTotal() {
        long total = 0;
        for (LongAdder adder : routedByRule) {
            total += adder.sum();
        }
        return total;
    }
}
