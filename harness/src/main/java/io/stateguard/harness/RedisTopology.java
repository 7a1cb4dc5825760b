package io.stateguard.harness;

import java.util.List;

/**
 * A set of running Redis processes started together, stopped together by {@link #close()}.
 *
 * <p>Use it with try-with-resources. To keep the logs of a failed test, either call {@link #markFailed()}
 * before closing, or wrap the test body with {@link #runKeepingLogsOnFailure(Body)}:
 *
 * <pre>{@code
 * try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().start()) {
 *     redis.runKeepingLogsOnFailure(() -> {
 *         redis.primary().command("SET", "k", "v");
 *         redis.awaitReplicated();
 *         assertThat(redis.replica(0).command("GET", "k")).isEqualTo("v");
 *     });
 * }
 * }</pre>
 *
 * A topology that fails to start cleans up after itself, keeps its logs and reports their paths.
 */
public interface RedisTopology extends AutoCloseable {

    /** @return every process of the topology in start order (data nodes, then Sentinels if any) */
    List<RedisNode> nodes();

    /**
     * Marks the topology as failed: {@link #close()} then keeps every node directory (config, logs) and prints
     * their paths to {@code System.err}.
     */
    void markFailed();

    /** @return whether {@link #markFailed()} was called (or startup failed) */
    boolean isFailed();

    /**
     * @param linesPerNode how many log lines to show per node
     * @return for each node: a header (name, address, pid, log path) and the tail of its log, for assertion
     *         messages
     */
    String logTails(int linesPerNode);

    /**
     * Stops every process (proxies first, then nodes in reverse start order) and deletes the node directories
     * unless failed or asked to keep logs. Idempotent. Tries to stop every node even if stopping one fails.
     */
    @Override
    void close();

    /**
     * Runs {@code body}; if it throws anything (including an {@link AssertionError}), marks this topology
     * failed and rethrows, so that the subsequent {@link #close()} keeps the logs.
     */
    default void runKeepingLogsOnFailure(Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            markFailed();
            throw t;
        }
    }

    /** A test body for {@link #runKeepingLogsOnFailure(Body)}. */
    @FunctionalInterface
    interface Body {
        /**
         * The test code.
         *
         * @throws Exception anything; it is rethrown unchanged
         */
        void run() throws Exception;
    }
}
