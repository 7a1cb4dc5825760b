package io.stateguard.harness;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A Redis Cluster: 3 masters (configurable) splitting the 16384 slots evenly (0-5460, 5461-10922,
 * 10923-16383 for 3), each with 1 replica (configurable).
 *
 * <p>{@link Builder#start()} assigns slots, introduces the nodes ({@code CLUSTER MEET}), attaches replicas
 * ({@code CLUSTER REPLICATE}) and returns once every node reports {@code cluster_state:ok}, all nodes agree on
 * roles and slots, and every replica is linked and caught up.
 *
 * <p>{@link #masters()}, {@link #replicas()}, {@link #nodeForSlot(int)} etc. read the current
 * {@code CLUSTER NODES} of a running node, so they follow failovers. Node names ({@code master-0},
 * {@code replica-0-0}) reflect the initial roles. Admin connections to cluster nodes are in {@code READONLY}
 * mode: {@code replicaForKey(k).command("GET", k)} reads the replica's own copy.
 *
 * <pre>{@code
 * try (ClusterTopology cluster = ClusterTopology.builder().start()) {
 *     cluster.nodeForKey("user:{42}").command("SET", "user:{42}", "v");
 *     cluster.awaitReplicated();
 *     assertThat(cluster.replicaForKey("user:{42}").command("GET", "user:{42}")).isEqualTo("v");
 * }
 * }</pre>
 */
public final class ClusterTopology extends AbstractTopology {

    /** Number of hash slots of Redis Cluster. */
    public static final int SLOTS = 16_384;

    private static final int ADDSLOTS_CHUNK = 1_000;
    private static final int[] CRC16_TABLE = crc16Table();

    private final List<RedisNode> clusterNodes = new CopyOnWriteArrayList<>();

    private ClusterTopology(Duration timeout) {
        super(timeout);
    }

    /** @return a builder: 3 masters, 1 replica each, {@code cluster-node-timeout 2000} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The hash slot of {@code key} (Redis Cluster spec): CRC16/XMODEM of the key, or of its hash tag (the
     * part between the first <code>{</code> and the first <code>}</code> after it, if non-empty), modulo 16384.
     */
    public static int slotOf(String key) {
        return slotOf(key.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #slotOf(String)} for a binary key. */
    public static int slotOf(byte[] key) {
        int open = indexOf(key, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(key, (byte) '}', open + 1);
            if (close > open + 1) {
                return crc16(key, open + 1, close) & (SLOTS - 1);
            }
        }
        return crc16(key, 0, key.length) & (SLOTS - 1);
    }

    /** @return the masters owning slots, ordered by their first slot */
    public List<RedisNode> masters() {
        return view().masters().stream().map(this::node).collect(Collectors.toList());
    }

    /** @return the replicas, grouped by master in {@link #masters()} order */
    public List<RedisNode> replicas() {
        ClusterView view = view();
        List<RedisNode> replicas = new ArrayList<>();
        for (ClusterView.Entry master : view.masters()) {
            view.replicasOf(master.id()).forEach(entry -> replicas.add(node(entry)));
        }
        return replicas;
    }

    /** @return the master serving {@code slot} */
    public RedisNode nodeForSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("Slot out of range: " + slot);
        }
        return node(view().ownerOf(slot).orElseThrow(() -> new IllegalStateException("No master serves slot " + slot)));
    }

    /** @return the master serving the slot of {@code key} */
    public RedisNode nodeForKey(String key) {
        return nodeForSlot(slotOf(key));
    }

    /** @return the first replica of the master serving the slot of {@code key} */
    public RedisNode replicaForKey(String key) {
        return replicaOf(nodeForKey(key));
    }

    /**
     * @return the first (lowest port) replica of {@code master}
     * @throws IllegalStateException if it has none
     */
    public RedisNode replicaOf(RedisNode master) {
        List<RedisNode> replicas = replicasOf(master);
        if (replicas.isEmpty()) {
            throw new IllegalStateException(master + " has no replica");
        }
        return replicas.get(0);
    }

    /** @return the replicas of {@code master}, by port */
    public List<RedisNode> replicasOf(RedisNode master) {
        ClusterView view = view();
        return view.replicasOf(entry(view, master).id()).stream().map(this::node).collect(Collectors.toList());
    }

    /** @return the master {@code replica} replicates from */
    public RedisNode masterOf(RedisNode replica) {
        ClusterView view = view();
        ClusterView.Entry entry = entry(view, replica);
        if (!entry.isReplica()) {
            throw new IllegalStateException(replica + " is not a replica");
        }
        return node(view.byId(entry.masterId()).orElseThrow(() -> new IllegalStateException("Unknown master of " + replica)));
    }

    /** Waits until every replica has processed everything its master had written when this was called. */
    public void awaitReplicated() {
        ClusterView view = view();
        for (ClusterView.Entry master : view.masters()) {
            awaitReplicated(node(master), view.replicasOf(master.id()).stream().map(this::node).collect(Collectors.toList()));
        }
    }

    /**
     * Makes the replicas of {@code key}'s master deterministically stale: afterwards they hold the string
     * {@code value} for {@code key} while the master keeps its own value (or absence), and they remain
     * replicas. Lasts until the master writes the key again or a replica resynchronizes from scratch.
     *
     * <p>Unlike the other topologies this cannot write on the replica: Cluster replicas redirect writes to
     * their master ({@code MOVED}) even with {@code replica-read-only no}. Instead, an atomic script on the
     * master runs the write with replication on and restores the master's previous value with replication
     * off. Consequently <em>every</em> replica of that master diverges.
     */
    public void divergeReplica(String key, String value) {
        diverge(key, "SET", value);
    }

    /** Like {@link #divergeReplica(String, String)} for one field of the hash {@code key}. */
    public void divergeReplicaHashField(String key, String field, String value) {
        diverge(key, "HSET", field, value);
    }

    /**
     * Manual failover ({@code CLUSTER FAILOVER} on {@code replica}); waits until {@code replica} is a master,
     * its old master is its replica, all nodes agree, {@code cluster_state:ok} everywhere and every replica
     * is linked.
     */
    public void failover(RedisNode replica) {
        RedisNode oldMaster = masterOf(replica);
        replica.command("CLUSTER", "FAILOVER");
        await("manual failover from " + oldMaster + " to " + replica, () -> {
            if (!"master".equals(replica.role())) {
                return replica + " reports role " + replica.role();
            }
            if (!"slave".equals(oldMaster.role())) {
                return oldMaster + " reports role " + oldMaster.role();
            }
            String unsettled = unsettledReason();
            if (unsettled != null) {
                return unsettled;
            }
            ClusterView view = view();
            ClusterView.Entry newMaster = entry(view, replica);
            ClusterView.Entry demoted = entry(view, oldMaster);
            if (!newMaster.isMaster() || !demoted.isReplica() || !demoted.masterId().equals(newMaster.id())) {
                return "cluster view not switched yet: " + view.signature();
            }
            return null;
        });
    }

    private void diverge(String key, String command, String... args) {
        RedisNode master = nodeForKey(key);
        List<RedisNode> replicas = replicasOf(master);
        // Drain the stream first: an in-flight write to the key arriving later would undo the divergence.
        awaitReplicated(master, replicas);
        Replication.writeOnReplicasOnly(master, key, command, args);
        awaitReplicated(master, replicas);
    }

    private void awaitReplicated(RedisNode master, List<RedisNode> replicas) {
        List<Replication.Link> links = replicas.stream()
                .map(replica -> new Replication.Link(replica, master.port()))
                .collect(Collectors.toList());
        Replication.awaitInSync(this, master, links);
    }

    /** The current view according to the first running node. */
    private ClusterView view() {
        return view(firstAlive(clusterNodes, "cluster node"));
    }

    private static ClusterView view(RedisNode node) {
        return ClusterView.parse((String) node.command("CLUSTER", "NODES"));
    }

    private RedisNode node(ClusterView.Entry entry) {
        for (RedisNode node : clusterNodes) {
            if (node.port() == entry.port()) {
                return node;
            }
        }
        throw new IllegalStateException("Cluster view lists port " + entry.port() + ", not a node of " + this);
    }

    private static ClusterView.Entry entry(ClusterView view, RedisNode node) {
        return view.byPort(node.port())
                .orElseThrow(() -> new IllegalStateException(node + " is not in the cluster view: " + view.signature()));
    }

    /**
     * @return {@code null} if every running node reports {@code cluster_state:ok} and knows all nodes, no
     *         running node is flagged failing or in handshake, all views agree on roles and slots, and every
     *         running replica's link is up; otherwise the first thing that is not so
     */
    private String unsettledReason() {
        String agreed = null;
        RedisNode agreedBy = null;
        ClusterView reference = null;
        for (RedisNode node : clusterNodes) {
            if (!node.isAlive()) {
                continue;
            }
            Map<String, String> info = RedisNode.parseInfo((String) node.command("CLUSTER", "INFO"));
            if (!"ok".equals(info.get("cluster_state"))) {
                return node + " cluster_state:" + info.get("cluster_state");
            }
            if (!String.valueOf(clusterNodes.size()).equals(info.get("cluster_known_nodes"))) {
                return node + " cluster_known_nodes:" + info.get("cluster_known_nodes");
            }
            ClusterView view = view(node);
            for (ClusterView.Entry entry : view.entries()) {
                if (entry.flags().contains("handshake") || entry.flags().contains("noaddr")) {
                    return node + " sees " + entry.port() + " with flags " + entry.flags();
                }
                if (entry.isFailing() && node(entry).isAlive()) {
                    return node + " sees running " + entry.port() + " with flags " + entry.flags();
                }
            }
            String signature = view.signature();
            if (agreed == null) {
                agreed = signature;
                agreedBy = node;
                reference = view;
            } else if (!agreed.equals(signature)) {
                return node + " sees [" + signature + "] but " + agreedBy + " sees [" + agreed + "]";
            }
        }
        if (reference == null) {
            return "no cluster node is running";
        }
        for (ClusterView.Entry entry : reference.entries()) {
            RedisNode node = node(entry);
            if (entry.isReplica() && node.isAlive()) {
                RedisNode master = node(reference.byId(entry.masterId()).orElseThrow());
                String unmet = Replication.unmetSync(new Replication.Link(node, master.port()), 0);
                if (unmet != null) {
                    return unmet;
                }
            }
        }
        return null;
    }

    private void startNodes(Builder builder) {
        List<RedisNode> masters = new ArrayList<>();
        for (int m = 0; m < builder.masters; m++) {
            masters.add(add(clusterNode(builder, "master-" + m).start()));
        }
        List<RedisNode> replicas = new ArrayList<>();
        List<RedisNode> masterOfReplica = new ArrayList<>();
        for (int m = 0; m < builder.masters; m++) {
            for (int r = 0; r < builder.replicasPerMaster; r++) {
                replicas.add(add(clusterNode(builder, "replica-" + m + "-" + r).start()));
                masterOfReplica.add(masters.get(m));
            }
        }
        clusterNodes.addAll(masters);
        clusterNodes.addAll(replicas);

        // Distinct config epochs before meeting, as redis-cli does: no epoch collisions to resolve later.
        for (int i = 0; i < clusterNodes.size(); i++) {
            clusterNodes.get(i).command("CLUSTER", "SET-CONFIG-EPOCH", Integer.toString(i + 1));
        }
        for (int m = 0; m < masters.size(); m++) {
            addSlots(masters.get(m), firstSlot(m, masters.size()), firstSlot(m + 1, masters.size()) - 1);
        }
        RedisNode introducer = clusterNodes.get(0);
        for (RedisNode node : clusterNodes.subList(1, clusterNodes.size())) {
            introducer.command("CLUSTER", "MEET", RedisNode.HOST, Integer.toString(node.port()));
        }
        for (RedisNode node : clusterNodes) {
            await(node + " to know all " + clusterNodes.size() + " nodes", () -> {
                ClusterView view = view(node);
                if (view.entries().size() != clusterNodes.size()) {
                    return "knows " + view.entries().size() + " nodes";
                }
                for (ClusterView.Entry entry : view.entries()) {
                    if (entry.flags().contains("handshake") || entry.flags().contains("noaddr")
                            || !"connected".equals(entry.linkState())) {
                        return "sees " + entry.port() + " " + entry.flags() + " " + entry.linkState();
                    }
                }
                return null;
            });
        }
        for (int i = 0; i < replicas.size(); i++) {
            RedisNode master = masterOfReplica.get(i);
            String masterId = view(master).myself().orElseThrow().id(); // CLUSTER MYID needs Redis 7
            replicas.get(i).command("CLUSTER", "REPLICATE", masterId);
        }
        await("the cluster to converge", () -> {
            String unsettled = unsettledReason();
            if (unsettled != null) {
                return unsettled;
            }
            ClusterView view = view();
            for (int i = 0; i < replicas.size(); i++) {
                ClusterView.Entry replica = entry(view, replicas.get(i));
                ClusterView.Entry master = entry(view, masterOfReplica.get(i));
                if (!replica.isReplica() || !replica.masterId().equals(master.id())) {
                    return replicas.get(i) + " is not yet a replica of " + masterOfReplica.get(i);
                }
            }
            return null;
        });
        awaitReplicated();
    }

    private RedisNode.Builder clusterNode(Builder builder, String name) {
        return builder.dataNode(name)
                .clusterMode(true)
                .directive("cluster-node-timeout", builder.nodeTimeout.toMillis());
    }

    /** First slot of master {@code index} of {@code count}: the same even split as {@code redis-cli --cluster create}. */
    static int firstSlot(int index, int count) {
        return (int) Math.round((double) index * SLOTS / count);
    }

    private static void addSlots(RedisNode master, int from, int to) {
        // ADDSLOTS in chunks rather than ADDSLOTSRANGE, which needs Redis 7 (the bundled fallback is 6.2).
        for (int start = from; start <= to; start += ADDSLOTS_CHUNK) {
            int end = Math.min(to, start + ADDSLOTS_CHUNK - 1);
            String[] command = new String[2 + end - start + 1];
            command[0] = "CLUSTER";
            command[1] = "ADDSLOTS";
            for (int slot = start; slot <= end; slot++) {
                command[2 + slot - start] = Integer.toString(slot);
            }
            master.command(command);
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** CRC16/XMODEM (polynomial 0x1021, initial value 0), as in the Redis Cluster specification. */
    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    private static int[] crc16Table() {
        int[] table = new int[256];
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            table[i] = crc & 0xFFFF;
        }
        return table;
    }

    /** Builder of {@link ClusterTopology}. */
    public static final class Builder extends TopologyBuilder<Builder, ClusterTopology> {
        private int masters = 3;
        private int replicasPerMaster = 1;
        private Duration nodeTimeout = Duration.ofMillis(2000);

        private Builder() {
        }

        /** Number of masters (slots are split evenly). Default 3. */
        public Builder masters(int masters) {
            if (masters < 1 || masters > SLOTS) {
                throw new IllegalArgumentException("Invalid master count: " + masters);
            }
            this.masters = masters;
            return this;
        }

        /** Replicas per master, 0 or more. Default 1. */
        public Builder replicasPerMaster(int replicasPerMaster) {
            if (replicasPerMaster < 0) {
                throw new IllegalArgumentException("Negative replica count: " + replicasPerMaster);
            }
            this.replicasPerMaster = replicasPerMaster;
            return this;
        }

        /** {@code cluster-node-timeout}. Default 2000 ms. */
        public Builder nodeTimeout(Duration nodeTimeout) {
            this.nodeTimeout = Objects.requireNonNull(nodeTimeout, "nodeTimeout");
            return this;
        }

        @Override
        public ClusterTopology start() {
            return startOrCleanUp(new ClusterTopology(timeout), topology -> topology.startNodes(this));
        }
    }
}
