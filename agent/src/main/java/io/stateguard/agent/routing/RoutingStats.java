package io.stateguard.agent.routing;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts state-key reads per rule index and target role: sent to the primary by the agent
 * ({@code primary} rules), or left on the application's replica routing and checked
 * ({@code replica-checked} rules). Read by telemetry as {@code stateguard.reads.routed}.
 */
public final class RoutingStats {

    private final LongAdder[] routedByRule;
    private final LongAdder[] checkedByRule;

    RoutingStats(int rules) {
        routedByRule = new LongAdder[rules];
        checkedByRule = new LongAdder[rules];
        for (int i = 0; i < rules; i++) {
            routedByRule[i] = new LongAdder();
            checkedByRule[i] = new LongAdder();
        }
    }

    /** A read of a {@code replica-checked} rule, left on the application's routing and checked. */
    public void incrementChecked(int rule) {
        if (rule >= 0 && rule < checkedByRule.length) {
            checkedByRule[rule].increment();
        }
    }

    /** Reads of rule {@code rule} left on the application's (replica) routing and checked so far. */
    public long checked(int rule) {
        return checkedByRule[rule].sum();
    }

    void increment(int rule) {
        routedByRule[rule].increment();
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
