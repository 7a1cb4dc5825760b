package io.stateguard.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Process bookkeeping, waiting and shutdown shared by all topologies. */
abstract class AbstractTopology implements RedisTopology {

    private static final int DIAGNOSTIC_LINES = 25;

    final Duration timeout;
    private final List<RedisNode> nodes = new CopyOnWriteArrayList<>();
    private final List<LagProxy> proxies = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean failed;

    AbstractTopology(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Runs {@code startup} on a new topology. If it fails, the topology is marked failed (logs kept and
     * reported) and closed, so that no process outlives a failed start.
     */
    static <T extends AbstractTopology> T startOrCleanUp(T topology, Consumer<T> startup) {
        try {
            startup.accept(topology);
            return topology;
        } catch (RuntimeException | Error e) {
            topology.markFailed();
            try {
                topology.close();
            } catch (RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** Registers a started node so that it is stopped by {@link #close()}. */
    final RedisNode add(RedisNode node) {
        nodes.add(node);
        return node;
    }

    /** Registers a started proxy so that it is closed by {@link #close()}. */
    final LagProxy add(LagProxy proxy) {
        proxies.add(proxy);
        return proxy;
    }

    @Override
    public List<RedisNode> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void markFailed() {
        failed = true;
    }

    @Override
    public boolean isFailed() {
        return failed;
    }

    @Override
    public String logTails(int linesPerNode) {
        StringBuilder text = new StringBuilder();
        for (RedisNode node : nodes) {
            text.append(node.diagnostics(linesPerNode));
        }
        return text.toString();
    }

    /** Polls until {@code unmetReason} returns null; see {@link Await#until(String, Duration, Supplier, Supplier)}. */
    final void await(String what, Supplier<String> unmetReason) {
        Await.until(what, timeout, unmetReason, () -> logTails(DIAGNOSTIC_LINES));
    }

    /** Polls until {@code probe} returns a value; see {@link Await#value(String, Duration, Supplier, Supplier)}. */
    final <V> V awaitValue(String what, Supplier<?> probe) {
        return Await.value(what, timeout, probe, () -> logTails(DIAGNOSTIC_LINES));
    }

    /** @return the first node of {@code candidates} that is alive */
    static RedisNode firstAlive(List<RedisNode> candidates, String what) {
        for (RedisNode node : candidates) {
            if (node.isAlive()) {
                return node;
            }
        }
        throw new IllegalStateException("No " + what + " is running");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (failed) {
            nodes.forEach(RedisNode::keepLogs);
        }
        // Proxies first: a primary whose replicas sit behind a paused proxy then sees them disconnect instead
        // of waiting for them during SHUTDOWN (Redis < 7 has no SHUTDOWN NOW).
        proxies.forEach(LagProxy::close);
        RuntimeException failure = null;
        List<RedisNode> reversed = new ArrayList<>(nodes);
        Collections.reverse(reversed); // Sentinels and replicas before the primary
        for (RedisNode node : reversed) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        reportKeptLogs();
        if (failure != null) {
            throw failure;
        }
    }

    private void reportKeptLogs() {
        StringBuilder report = new StringBuilder();
        for (RedisNode node : nodes) {
            if (node.keepsLogs()) {
                report.append("\n  ").append(node).append(": ").append(node.logFile());
            }
        }
        if (report.length() > 0) {
            System.err.println("[stateguard-harness] " + getClass().getSimpleName()
                    + (failed ? " failed; " : " closed; ") + "logs kept:" + report);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + nodes;
    }
}
