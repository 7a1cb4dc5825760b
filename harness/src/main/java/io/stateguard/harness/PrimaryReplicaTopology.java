package io.stateguard.harness;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A primary and N replicas (default 1), optionally each replicating through its own {@link LagProxy} so that
 * a test can hold back or delay the replication stream.
 *
 * <pre>{@code
 * try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().laggingReplicas(true).start()) {
 *     redis.lagProxy(0).pause();
 *     redis.primary().command("SET", "k", "new");   // the replica does not see it...
 *     redis.lagProxy(0).resume();
 *     redis.awaitReplicated();                      // ...until now
 * }
 * }</pre>
 *
 * {@link PrimaryReplicaTopology.Builder#start()} returns once every replica reports
 * {@code master_link_status:up} and has caught up with the primary.
 */
public final class PrimaryReplicaTopology extends AbstractReplicatedTopology {

    private volatile RedisNode primary;
    private final List<RedisNode> replicas = new CopyOnWriteArrayList<>();
    /** Same index as {@link #replicas}; empty without lagging replicas. */
    private final List<LagProxy> lagProxies = new CopyOnWriteArrayList<>();

    private PrimaryReplicaTopology(Duration timeout) {
        super(timeout);
    }

    /** @return a builder: 1 replica, no lag proxies */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public RedisNode primary() {
        return primary;
    }

    @Override
    public List<RedisNode> replicas() {
        return List.copyOf(replicas);
    }

    /** @return whether replicas replicate through {@link LagProxy LagProxies} */
    public boolean hasLaggingReplicas() {
        return !lagProxies.isEmpty();
    }

    /**
     * @return the proxy between the primary and replica {@code replicaIndex}
     * @throws IllegalStateException if the topology was not built with {@code laggingReplicas(true)}
     */
    public LagProxy lagProxy(int replicaIndex) {
        if (lagProxies.isEmpty()) {
            throw new IllegalStateException("Build the topology with laggingReplicas(true) to get lag proxies");
        }
        return lagProxies.get(replicaIndex);
    }

    @Override
    int masterPortOf(RedisNode replica, RedisNode primary) {
        int index = replicas.indexOf(replica);
        return lagProxies.isEmpty() || index < 0 ? primary.port() : lagProxies.get(index).port();
    }

    private void startNodes(Builder builder) {
        primary = add(builder.dataNode("primary").start());
        for (int i = 0; i < builder.replicas; i++) {
            int masterPort = primary.port();
            if (builder.laggingReplicas) {
                LagProxy proxy = add(LagProxy.start(primary));
                lagProxies.add(proxy);
                masterPort = proxy.port();
            }
            replicas.add(add(builder.dataNode("replica-" + i).replicaOf(RedisNode.HOST, masterPort).start()));
        }
        awaitReplicated();
    }

    /** Builder of {@link PrimaryReplicaTopology}. */
    public static final class Builder extends TopologyBuilder<Builder, PrimaryReplicaTopology> {
        private int replicas = 1;
        private boolean laggingReplicas;

        private Builder() {
        }

        /** Number of replicas, 0 or more. Default 1. */
        public Builder replicas(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("Negative replica count: " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /**
         * Whether each replica replicates through its own {@link LagProxy} ({@code replicaof 127.0.0.1
         * <proxyPort>}), available as {@link PrimaryReplicaTopology#lagProxy(int)}. Default {@code false}.
         */
        public Builder laggingReplicas(boolean laggingReplicas) {
            this.laggingReplicas = laggingReplicas;
            return this;
        }

        @Override
        public PrimaryReplicaTopology start() {
            return startOrCleanUp(new PrimaryReplicaTopology(timeout), topology -> topology.startNodes(this));
        }
    }
}
