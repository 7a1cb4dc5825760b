package io.stateguard.benchmarks.startup;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.StateGuardConfig;
import io.stateguard.agent.keys.KeyMatcher;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.versions.HighWaterMarks;

import java.nio.charset.StandardCharsets;

/**
 * The agent's own share of its start-up, cold, in a fresh JVM: reading the configuration, compiling the rules
 * into the key automaton ({@link RoutingPolicy}), the first match, and creating the high-water-mark table.
 * The rest of {@code premain} registers the class file transformer. Prints {@code result.configMillis}.
 */
public final class ConfigCost {

    public static void main(String[] args) {
        long start = System.nanoTime();
        StateGuardConfig config = ConfigLoader.load(args.length > 0 ? args[0] : "keys=evolution:state:*");
        RoutingPolicy policy = RoutingPolicy.of(config.rules());
        KeyMatcher matcher = policy.matcher();
        int rule = matcher.match("evolution:state:r000000".getBytes(StandardCharsets.UTF_8));
        HighWaterMarks marks = new HighWaterMarks(config.maxTrackedKeys());
        long nanos = System.nanoTime() - start;
        if (rule != 0 || marks.size() != 0) {
            throw new IllegalStateException("unexpected rule " + rule);
        }
        System.out.println("result.configMillis=" + nanos / 1e6);
    }
}
