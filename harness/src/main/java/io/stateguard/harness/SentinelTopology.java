package io.stateguard.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A primary, N replicas (default 1) and 3 Sentinels monitoring them under {@link #masterName()}.
 *
 * <p>{@link Builder#start()} returns once every Sentinel sees the primary as up, every replica with a healthy
 * link, and the other Sentinels, so a failover can start right away.
 *
 * <p>Roles move: {@link #primary()} (same as {@link #currentPrimary()}) asks a Sentinel, and
 * {@link #replicas()} lists the running data nodes other than that primary. {@link #dataNodes()} is the
 * fixed list in start order (index 0 was the initial primary).
 *
 * <pre>{@code
 * try (SentinelTopology redis = SentinelTopology.builder().start()) {
 *     RedisNode old = redis.currentPrimary();
 *     RedisNode promoted = redis.failover();
 *     assertThat(promoted).isNotEqualTo(old);
 * }
 * }</pre>
 */
public final class SentinelTopology extends AbstractReplicatedTopology {

    private final String masterName;
    private final List<RedisNode> dataNodes = new CopyOnWriteArrayList<>();
    private final List<RedisNode> sentinels = new CopyOnWriteArrayList<>();

    private SentinelTopology(Duration timeout, String masterName) {
        super(timeout);
        this.masterName = masterName;
    }

    /** @return a builder: master name {@code mymaster}, 1 replica, 3 Sentinels with quorum 2 */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the name the Sentinels monitor the primary under */
    public String masterName() {
        return masterName;
    }

    /** @return the Sentinel processes */
    public List<RedisNode> sentinels() {
        return List.copyOf(sentinels);
    }

    /** @return the data nodes (primary and replicas), in start order; index 0 was the initial primary */
    public List<RedisNode> dataNodes() {
        return List.copyOf(dataNodes);
    }

    /**
     * @return a Lettuce-style Sentinel URI, {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,...#masterName}
     */
    public String sentinelUri() {
        return sentinels.stream().map(RedisNode::hostAndPort)
                .collect(Collectors.joining(",", "redis-sentinel://", "#" + masterName));
    }

    /**
     * The primary according to the first running Sentinel ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}). Right
     * after {@link #killPrimary()} that is still the killed node, until the Sentinels fail over.
     *
     * @throws IllegalStateException if the address is not one of {@link #dataNodes()}
     */
    public RedisNode currentPrimary() {
        return dataNode(reportedPrimaryPort(firstAlive(sentinels, "Sentinel")));
    }

    /** Same as {@link #currentPrimary()}. */
    @Override
    public RedisNode primary() {
        return currentPrimary();
    }

    /** @return the running data nodes other than {@link #currentPrimary()}, in start order */
    @Override
    public List<RedisNode> replicas() {
        RedisNode primary = currentPrimary();
        List<RedisNode> replicas = new ArrayList<>();
        for (RedisNode node : dataNodes) {
            if (node != primary && node.isAlive()) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    @Override
    int masterPortOf(RedisNode replica, RedisNode primary) {
        return primary.port();
    }

    /**
     * Forces a failover ({@code SENTINEL FAILOVER}, retried while a Sentinel answers e.g. {@code NOGOODSLAVE}
     * because it has not refreshed its replica information yet) and waits for the promotion, see
     * {@link #awaitNewPrimary(RedisNode)}. The old primary keeps reporting role master until the Sentinels
     * reconfigure it (some seconds later): call {@link #awaitSettled()} to wait for that.
     *
     * @return the new primary
     */
    public RedisNode failover() {
        RedisNode previous = currentPrimary();
        RedisNode sentinel = firstAlive(sentinels, "Sentinel");
        awaitValue(sentinel + " to accept SENTINEL FAILOVER " + masterName, () -> {
            try {
                return sentinel.command("SENTINEL", "FAILOVER", masterName);
            } catch (RedisError e) {
                if ("INPROG".equals(e.code())) {
                    return e.code(); // one is running already: retrying would start a second one after it
                }
                throw e; // e.g. NOGOODSLAVE: the Sentinel has not refreshed its replica info yet; retried
            }
        });
        return awaitNewPrimary(previous);
    }

    /**
     * Kills the current primary abruptly (see {@link RedisNode#kill()}) and returns it without waiting: the
     * Sentinels notice after {@code down-after-milliseconds}. Follow with {@link #awaitNewPrimary(RedisNode)}.
     *
     * @return the killed node
     */
    public RedisNode killPrimary() {
        RedisNode primary = currentPrimary();
        primary.kill();
        return primary;
    }

    /**
     * Waits until every running Sentinel reports the same primary, other than {@code previous}, and that node
     * reports role master.
     *
     * @return the new primary
     */
    public RedisNode awaitNewPrimary(RedisNode previous) {
        Objects.requireNonNull(previous, "previous");
        return awaitValue("the Sentinels to promote a replica instead of " + previous, () -> {
            Set<Integer> reported = new TreeSet<>();
            for (RedisNode sentinel : sentinels) {
                if (sentinel.isAlive()) {
                    reported.add(reportedPrimaryPort(sentinel));
                }
            }
            if (reported.size() != 1) {
                return new Await.Unmet("Sentinels disagree on the primary port: " + reported);
            }
            RedisNode candidate = dataNode(reported.iterator().next());
            if (candidate == previous) {
                return new Await.Unmet("Sentinels still report " + previous);
            }
            String role = candidate.role();
            return "master".equals(role) ? candidate : new Await.Unmet(candidate + " reports role " + role);
        });
    }

    /**
     * Waits until the Sentinels agree on the primary, it reports role master, and every other running data
     * node is its connected replica (this includes an old primary still running after a failover).
     */
    public void awaitSettled() {
        await("the Sentinel topology to settle", () -> {
            Set<Integer> reported = new TreeSet<>();
            for (RedisNode sentinel : sentinels) {
                if (sentinel.isAlive()) {
                    reported.add(reportedPrimaryPort(sentinel));
                }
            }
            if (reported.size() != 1) {
                return "Sentinels disagree on the primary port: " + reported;
            }
            RedisNode primary = dataNode(reported.iterator().next());
            if (!"master".equals(primary.role())) {
                return primary + " is reported as primary but has role " + primary.role();
            }
            for (RedisNode node : dataNodes) {
                if (node != primary && node.isAlive()) {
                    String unmet = Replication.unmetSync(new Replication.Link(node, primary.port()), 0);
                    if (unmet != null) {
                        return unmet;
                    }
                }
            }
            return null;
        });
    }

    private int reportedPrimaryPort(RedisNode sentinel) {
        List<?> address = (List<?>) sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
        if (address == null || address.size() != 2) {
            throw new IllegalStateException(sentinel + " does not know master " + masterName + ": " + address);
        }
        return Integer.parseInt((String) address.get(1));
    }

    private RedisNode dataNode(int port) {
        for (RedisNode node : dataNodes) {
            if (node.port() == port) {
                return node;
            }
        }
        throw new IllegalStateException("Sentinels report a primary on port " + port + ", not a node of " + this);
    }

    private void startNodes(Builder builder) {
        RedisNode primary = add(builder.dataNode("primary").start());
        dataNodes.add(primary);
        for (int i = 0; i < builder.replicas; i++) {
            dataNodes.add(add(builder.dataNode("replica-" + i).replicaOf(RedisNode.HOST, primary.port()).start()));
        }
        // Replicas must be listed in the primary's INFO before the Sentinels start: a Sentinel discovers them
        // from that INFO, and would otherwise only retry after its 10 s refresh period.
        awaitReplicated(primary, dataNodes.subList(1, dataNodes.size()));
        int quorum = builder.sentinels / 2 + 1;
        for (int i = 0; i < builder.sentinels; i++) {
            sentinels.add(add(RedisNode.builder()
                    .name("sentinel-" + i)
                    .sentinelMode(true)
                    .keepLogs(builder.keepLogs)
                    .directive("sentinel", "monitor", masterName, RedisNode.HOST, primary.port(), quorum)
                    .directive("sentinel", "down-after-milliseconds", masterName, builder.downAfter.toMillis())
                    .directive("sentinel", "failover-timeout", masterName, builder.failoverTimeout.toMillis())
                    .directive("sentinel", "parallel-syncs", masterName, 1)
                    .start()));
        }
        for (RedisNode sentinel : sentinels) {
            await(sentinel + " to see the primary, " + builder.replicas + " replica(s) and "
                    + (builder.sentinels - 1) + " other Sentinel(s)",
                    () -> unmetSentinelView(sentinel, builder.replicas, builder.sentinels - 1));
        }
    }

    private String unmetSentinelView(RedisNode sentinel, int replicaCount, int otherSentinels) {
        Map<String, String> master = fields((List<?>) sentinel.command("SENTINEL", "MASTER", masterName));
        if (!"master".equals(master.get("flags"))) {
            return "primary flags " + master.get("flags");
        }
        if (!String.valueOf(otherSentinels).equals(master.get("num-other-sentinels"))) {
            return "num-other-sentinels " + master.get("num-other-sentinels");
        }
        List<?> replicas = (List<?>) sentinel.command("SENTINEL", "REPLICAS", masterName);
        if (replicas.size() != replicaCount) {
            return replicas.size() + " replicas known";
        }
        for (Object entry : replicas) {
            Map<String, String> replica = fields((List<?>) entry);
            if (!"slave".equals(replica.get("flags")) || !"ok".equals(replica.get("master-link-status"))) {
                return "replica " + replica.get("name") + " flags " + replica.get("flags")
                        + ", master-link-status " + replica.get("master-link-status");
            }
        }
        return null;
    }

    /** Sentinel replies describe an instance as a flat list: name, value, name, value... */
    private static Map<String, String> fields(List<?> flat) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return fields;
    }

    /** Builder of {@link SentinelTopology}. */
    public static final class Builder extends TopologyBuilder<Builder, SentinelTopology> {
        private String masterName = "mymaster";
        private int replicas = 1;
        private int sentinels = 3;
        private Duration downAfter = Duration.ofMillis(1000);
        private Duration failoverTimeout = Duration.ofMillis(5000);

        private Builder() {
        }

        /** Name the Sentinels monitor the primary under. Default {@code mymaster}. */
        public Builder masterName(String masterName) {
            if (masterName == null || masterName.isBlank() || masterName.contains(" ")) {
                throw new IllegalArgumentException("Invalid master name: '" + masterName + "'");
            }
            this.masterName = masterName;
            return this;
        }

        /** Number of replicas, at least 1 (a failover needs one). Default 1. */
        public Builder replicas(int replicas) {
            if (replicas < 1) {
                throw new IllegalArgumentException("A Sentinel topology needs at least one replica: " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Number of Sentinels; the quorum is a majority. Default 3 (quorum 2). */
        public Builder sentinels(int sentinels) {
            if (sentinels < 1) {
                throw new IllegalArgumentException("At least one Sentinel is needed: " + sentinels);
            }
            this.sentinels = sentinels;
            return this;
        }

        /** {@code sentinel down-after-milliseconds}. Default 1000 ms. */
        public Builder downAfter(Duration downAfter) {
            this.downAfter = Objects.requireNonNull(downAfter, "downAfter");
            return this;
        }

        /** {@code sentinel failover-timeout}. Default 5000 ms. */
        public Builder failoverTimeout(Duration failoverTimeout) {
            this.failoverTimeout = Objects.requireNonNull(failoverTimeout, "failoverTimeout");
            return this;
        }

        @Override
        public SentinelTopology start() {
            return startOrCleanUp(new SentinelTopology(timeout, masterName), topology -> topology.startNodes(this));
        }
    }
}
