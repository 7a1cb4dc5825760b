package io.stateguard.agent.lettuce;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.models.role.RedisNodeDescription;
import io.lettuce.core.resource.ClientResources;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.replication.ClientTopology;
import io.stateguard.agent.replication.Endpoint;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.replication.ShardNodes;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The topologies of Lettuce's Master/Replica (static, auto-discovered, Sentinel) and Cluster connections, for
 * the {@link ReplicationMonitor}: the nodes as the client sees them now (the provider's known nodes; the
 * Cluster partitions), and connections of the agent's own to each node. Those use the application's client
 * resources (no threads of their own), its client options without auto-reconnect (the monitor reconnects at its
 * next round, without the reconnection log of Lettuce's watchdog), and the node URIs Lettuce itself builds
 * (credentials, TLS, timeout), renamed {@code stateguard} with {@code CLIENT SETNAME}. The application's
 * objects are held weakly.
 */
final class LettuceTopologies implements ReplicationMonitor.TopologyFactory {

    static final LettuceTopologies INSTANCE = new LettuceTopologies();

    private static final String CLUSTER_WRITER = "io.lettuce.core.cluster.ClusterDistributionChannelWriter";

    private LettuceTopologies() {
    }

    static void register() {
        ReplicationMonitor.addFactory(INSTANCE);
    }

    @Override
    public ClientTopology topologyOf(Object writer) {
        if (LettuceFields.isMasterReplica(writer)) {
            return new MasterReplica(writer);
        }
        if (writer != null && writer.getClass().getName().equals(CLUSTER_WRITER)) {
            return new Cluster(writer);
        }
        return null;
    }

    /** Roles as Lettuce names them: MASTER/SLAVE (5.x) and UPSTREAM/REPLICA (6.1+). */
    static boolean isPrimary(Object role) {
        String name = role == null ? "" : ((Enum<?>) role).name();
        return name.equals("MASTER") || name.equals("UPSTREAM");
    }

    static boolean isReplica(Object role) {
        String name = role == null ? "" : ((Enum<?>) role).name();
        return name.equals("SLAVE") || name.equals("REPLICA");
    }

    static Endpoint endpoint(RedisURI uri) {
        return uri == null || uri.getHost() == null || uri.getHost().isEmpty() ? null
                : new Endpoint(uri.getHost(), uri.getPort());
    }

    /** What both kinds share: the agent's own client and one connection per node. */
    private abstract static class Nodes implements ClientTopology {

        final WeakReference<Object> writer;
        private final Map<Endpoint, ConnectionFuture<StatefulRedisConnection<String, String>>> connections =
                new ConcurrentHashMap<>();
        private RedisClient client;
        private volatile boolean closed;

        Nodes(Object writer) {
            this.writer = new WeakReference<>(writer);
        }

        /** The URI to connect to {@code node} with, or {@code null} when unknown. */
        abstract RedisURI uriOf(Endpoint node) throws Throwable;

        /** The application's client resources and options, to build the agent's client. */
        abstract Object[] resourcesAndOptions();

        @Override
        public boolean inUse() {
            Object current = writer.get();
            return current != null && !LettuceFields.isClosed(current);
        }

        @Override
        public void info(final Endpoint node, final InfoAnswer answer) {
            ConnectionFuture<StatefulRedisConnection<String, String>> connection;
            try {
                connection = connection(node);
            } catch (Throwable t) {
                answer.failed(t);
                return;
            }
            if (connection == null) {
                answer.failed(new IllegalStateException("no URI for " + node));
                return;
            }
            connection.whenComplete(new Asked(this, node, answer));
        }

        private synchronized ConnectionFuture<StatefulRedisConnection<String, String>> connection(Endpoint node)
                throws Throwable {
            ConnectionFuture<StatefulRedisConnection<String, String>> existing = connections.get(node);
            if (existing != null) {
                return existing;
            }
            if (closed) {
                return null;
            }
            RedisURI uri = uriOf(node);
            if (uri == null) {
                return null;
            }
            if (client == null) {
                Object[] settings = resourcesAndOptions();
                client = settings[0] instanceof ClientResources ? RedisClient.create((ClientResources) settings[0])
                        : RedisClient.create();
                ClientOptions options = settings[1] instanceof ClientOptions ? (ClientOptions) settings[1]
                        : ClientOptions.create();
                client.setOptions(options.mutate().autoReconnect(false).build());
            }
            ConnectionFuture<StatefulRedisConnection<String, String>> created = client.connectAsync(StringCodec.UTF8,
                    uri);
            connections.put(node, created);
            created.whenComplete(new Named());
            return created;
        }

        /** Forgets a connection that failed or closed: the next round connects again. */
        void drop(Endpoint node, StatefulRedisConnection<String, String> connection) {
            ConnectionFuture<StatefulRedisConnection<String, String>> known = connections.get(node);
            if (known != null && (connection == null || known.toCompletableFuture().getNow(null) == connection)) {
                connections.remove(node, known);
            }
            if (connection != null) {
                connection.closeAsync();
            }
        }

        @Override
        public void forget(Endpoint node) {
            ConnectionFuture<StatefulRedisConnection<String, String>> known = connections.remove(node);
            if (known != null) {
                known.whenComplete(new Closer());
            }
        }

        @Override
        public void releaseThread() {
            io.netty.util.concurrent.FastThreadLocal.removeAll();
        }

        @Override
        public synchronized void close() {
            closed = true;
            for (Endpoint node : new ArrayList<>(connections.keySet())) {
                forget(node);
            }
            if (client != null) {
                client.shutdownAsync();
                client = null;
            }
        }
    }

    /** A connection that opened is renamed {@code stateguard}, so operators see whose it is in CLIENT LIST. */
    private static final class Named implements BiConsumer<StatefulRedisConnection<String, String>, Throwable> {
        @Override
        public void accept(StatefulRedisConnection<String, String> connection, Throwable error) {
            if (connection != null) {
                connection.async().clientSetname("stateguard");
            }
        }
    }

    private static final class Closer implements BiConsumer<StatefulRedisConnection<String, String>, Throwable> {
        @Override
        public void accept(StatefulRedisConnection<String, String> connection, Throwable error) {
            if (connection != null) {
                connection.closeAsync();
            }
        }
    }

    /** Once connected: sends INFO replication and hands the answer over. */
    private static final class Asked implements BiConsumer<StatefulRedisConnection<String, String>, Throwable> {

        private final Nodes nodes;
        private final Endpoint node;
        private final ClientTopology.InfoAnswer answer;

        Asked(Nodes nodes, Endpoint node, ClientTopology.InfoAnswer answer) {
            this.nodes = nodes;
            this.node = node;
            this.answer = answer;
        }

        @Override
        public void accept(final StatefulRedisConnection<String, String> connection, Throwable error) {
            if (error != null || connection == null || !connection.isOpen()) {
                nodes.drop(node, connection);
                answer.failed(error != null ? error : new IllegalStateException("connection to " + node + " closed"));
                return;
            }
            try {
                connection.async().info("replication").whenComplete(new BiConsumer<String, Throwable>() {
                    @Override
                    public void accept(String text, Throwable failure) {
                        if (failure instanceof RedisCommandExecutionException) {
                            answer.refused(failure.getMessage());
                        } else if (failure != null || text == null) {
                            nodes.drop(node, connection);
                            answer.failed(failure);
                        } else {
                            answer.answered(text);
                        }
                    }
                });
            } catch (Throwable t) {
                nodes.drop(node, connection);
                answer.failed(t);
            }
        }
    }

    /** A Master/Replica connection: one shard, its nodes the provider's known nodes. */
    private static final class MasterReplica extends Nodes {

        /** The nodes as last seen, for the log after the application closed its connection. */
        private volatile String lastSeen = "(no primary known yet)";

        MasterReplica(Object writer) {
            super(writer);
        }

        @Override
        public List<ShardNodes> shards() {
            Object provider = LettuceFields.masterReplicaProvider(writer.get());
            Object known = LettuceFields.read(provider, "knownNodes");
            if (!(known instanceof List)) {
                return Collections.emptyList();
            }
            Endpoint primary = null;
            List<Endpoint> replicas = new ArrayList<>();
            for (Object node : new ArrayList<Object>((List<?>) known)) {
                if (!(node instanceof RedisNodeDescription)) {
                    continue;
                }
                RedisNodeDescription description = (RedisNodeDescription) node;
                Endpoint endpoint = endpoint(description.getUri());
                if (endpoint == null) {
                    continue;
                }
                if (isPrimary(description.getRole())) {
                    primary = endpoint;
                } else if (isReplica(description.getRole())) {
                    replicas.add(endpoint);
                }
            }
            if (primary == null) {
                return Collections.emptyList();
            }
            ShardNodes shard = new ShardNodes(primary, replicas, null);
            lastSeen = shard.toString();
            return Collections.singletonList(shard);
        }

        @Override
        RedisURI uriOf(Endpoint node) throws Throwable {
            Object template = LettuceFields.read(LettuceFields.masterReplicaProvider(writer.get()), "initialRedisUri");
            return template instanceof RedisURI ? LettuceFields.nodeUri((RedisURI) template, node.host(), node.port())
                    : null;
        }

        @Override
        Object[] resourcesAndOptions() {
            Object current = writer.get();
            return new Object[] {LettuceFields.read(current, "clientResources"),
                    LettuceFields.anyConnectionOptions(LettuceFields.masterReplicaProvider(current))};
        }

        @Override
        public String describe() {
            try {
                shards();
            } catch (Throwable t) {
                // described as last seen
            }
            return "Master/Replica " + lastSeen;
        }
    }

    /** A Cluster connection: a shard per master, its nodes from the partitions the client holds. */
    private static final class Cluster extends Nodes {

        private volatile Map<Endpoint, RedisURI> uris = Collections.emptyMap();

        Cluster(Object writer) {
            super(writer);
        }

        @Override
        public List<ShardNodes> shards() {
            Object partitions = LettuceFields.read(writer.get(), "partitions");
            if (!(partitions instanceof Partitions)) {
                return Collections.emptyList();
            }
            List<RedisClusterNode> nodes = new ArrayList<>(((Partitions) partitions).getPartitions());
            Map<Endpoint, RedisURI> known = new HashMap<>();
            List<ShardNodes> shards = new ArrayList<>();
            for (RedisClusterNode master : nodes) {
                Endpoint primary = endpoint(master.getUri());
                List<Integer> slots = master.getSlots();
                if (primary == null || !isPrimary(master.getRole()) || slots == null || slots.isEmpty()) {
                    continue;
                }
                known.put(primary, master.getUri());
                List<Endpoint> replicas = new ArrayList<>();
                for (RedisClusterNode node : nodes) {
                    Endpoint replica = endpoint(node.getUri());
                    if (replica != null && isReplica(node.getRole()) && master.getNodeId() != null
                            && master.getNodeId().equals(node.getSlaveOf())) {
                        replicas.add(replica);
                        known.put(replica, node.getUri());
                    }
                }
                int[] served = new int[slots.size()];
                for (int i = 0; i < served.length; i++) {
                    served[i] = slots.get(i);
                }
                shards.add(new ShardNodes(primary, replicas, served));
            }
            uris = known;
            return shards;
        }

        @Override
        RedisURI uriOf(Endpoint node) {
            return uris.get(node);
        }

        @Override
        Object[] resourcesAndOptions() {
            Object provider = LettuceFields.read(writer.get(), "clusterConnectionProvider");
            Object client = LettuceFields.read(provider, "redisClusterClient");
            Object options = null;
            if (client instanceof io.lettuce.core.AbstractRedisClient) {
                try {
                    options = ClientOptions.copyOf(((io.lettuce.core.cluster.RedisClusterClient) client).getOptions());
                } catch (Throwable t) {
                    InternalErrors.record("replication.topology", t);
                }
            }
            return new Object[] {LettuceFields.resources(client), options};
        }

        @Override
        public String describe() {
            return "Cluster " + uris.keySet();
        }
    }
}
