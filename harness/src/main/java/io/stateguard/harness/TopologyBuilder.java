package io.stateguard.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Options shared by the topology builders.
 *
 * @param <B> the concrete builder, returned by the setters for chaining
 * @param <T> the topology it starts
 */
public abstract class TopologyBuilder<B extends TopologyBuilder<B, T>, T extends RedisTopology> {

    Duration timeout = Duration.ofSeconds(30);
    boolean keepLogs = Boolean.getBoolean(RedisNode.KEEP_LOGS_PROPERTY);
    private final List<Object[]> directives = new ArrayList<>();

    TopologyBuilder() {
    }

    /**
     * Upper bound for each wait of the harness on this topology: startup convergence, replication,
     * failover... Default 30 s, generous for loaded CI machines; waits end as soon as the condition holds.
     */
    public B timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        return self();
    }

    /** Keeps all node directories (logs) on close even if nothing failed. Default: system property {@value RedisNode#KEEP_LOGS_PROPERTY}. */
    public B keepLogs(boolean keepLogs) {
        this.keepLogs = keepLogs;
        return self();
    }

    /**
     * Adds a config directive to every data node (not to Sentinels), after the harness defaults.
     *
     * @see RedisNode.Builder#directive(String, Object...)
     */
    public B directive(String name, Object... args) {
        Object[] line = new Object[args.length + 1];
        line[0] = Objects.requireNonNull(name, "name");
        System.arraycopy(args, 0, line, 1, args.length);
        directives.add(line);
        return self();
    }

    /**
     * Starts all processes and waits until the topology is fully converged.
     *
     * @throws HarnessTimeoutException if it does not converge within the timeout (everything started is
     *                                 stopped, logs are kept and their paths printed)
     */
    public abstract T start();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** A data-node builder with the harness defaults and the user directives. */
    RedisNode.Builder dataNode(String name) {
        RedisNode.Builder builder = RedisNode.builder().name(name).keepLogs(keepLogs)
                // Redis 7 syncs diskless by default and waits 5 s for more replicas first: pure delay here.
                .directive("repl-diskless-sync-delay", 0);
        for (Object[] line : directives) {
            Object[] args = new Object[line.length - 1];
            System.arraycopy(line, 1, args, 0, args.length);
            builder.directive((String) line[0], args);
        }
        return builder;
    }
}
