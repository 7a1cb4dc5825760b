package io.stateguard.agent.redisson;

import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.replication.ClientTopology;
import io.stateguard.agent.replication.Endpoint;
import io.stateguard.agent.replication.ReplicationMonitor;
import io.stateguard.agent.replication.ShardNodes;

import org.redisson.api.NodeType;
import org.redisson.api.RFuture;
import org.redisson.client.RedisClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.command.CommandAsyncService;
import org.redisson.config.BaseConfig;
import org.redisson.connection.ClientConnectionsEntry;
import org.redisson.connection.ConnectionManager;
import org.redisson.connection.MasterSlaveEntry;

import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A Redisson client (its connection manager) as the {@link ReplicationMonitor} sees it: the shards from Redisson's
 * own view at every round (master/slave, Sentinel and Replicated: one entry; Cluster: one entry per shard, with its
 * slots), each with its master and the replicas Redisson may read from (slaves not frozen). {@code INFO replication}
 * is sent through the application's own executor, to the master ({@code writeAsync}) or to one replica
 * ({@code readAsync} of that client): Redisson's pools already hold connections to every node, with the application's
 * credentials, TLS and timeouts, so the agent opens none of its own.
 */
final class RedissonTopologies implements ReplicationMonitor.TopologyFactory {

    static final RedissonTopologies INSTANCE = new RedissonTopologies();

    /** The number of hash slots of a Redis Cluster. */
    private static final int CLUSTER_SLOTS = 16384;

    /** Per Redisson client (its connection manager), one of its command executors, held weakly. */
    private static final WeakIdentityMap<WeakReference<CommandAsyncService>> EXECUTORS = new WeakIdentityMap<>();

    private RedissonTopologies() {
    }

    /** Registers the factory with the replication monitor (idempotent). */
    static void register() {
        ReplicationMonitor.addFactory(INSTANCE);
    }

    /**
     * The connection manager of the last {@link #executorOf} call, so that a client's every command does not look its
     * executor up again. Holds that one client strongly until another client's command replaces it.
     */
    private static volatile ConnectionManager lastSeen;

    /** Remembers an executor of {@code topology}'s client, through which its nodes are asked. */
    static void executorOf(ConnectionManager topology, CommandAsyncService executor) {
        if (lastSeen == topology) {
            return;
        }
        lastSeen = topology;
        WeakReference<CommandAsyncService> known = EXECUTORS.get(topology);
        if (known == null || known.get() == null) {
            EXECUTORS.put(topology, new WeakReference<>(executor));
        }
    }

    /** An executor of {@code topology}'s client, or {@code null} when none was seen (or it is gone). */
    static CommandAsyncService executor(Object topology) {
        WeakReference<CommandAsyncService> reference = EXECUTORS.get(topology);
        return reference == null ? null : reference.get();
    }

    @Override
    public ClientTopology topologyOf(Object clientObject) {
        if (!(clientObject instanceof ConnectionManager) || executor(clientObject) == null) {
            return null;
        }
        return new Topology((ConnectionManager) clientObject);
    }

    /**
     * Per connection manager class: whether it is (or extends) Redisson's {@code ClusterConnectionManager}, found by
     * name because its package changed ({@code org.redisson.cluster} before 3.30, {@code org.redisson.connection}
     * since).
     */
    private static final ClassValue<Boolean> CLUSTER = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            for (Class<?> each = type; each != null; each = each.getSuperclass()) {
                if (each.getSimpleName().equals("ClusterConnectionManager")) {
                    return Boolean.TRUE;
                }
            }
            return Boolean.FALSE;
        }
    };

    /** Whether {@code topology} is a Redis Cluster client's. */
    static boolean isCluster(ConnectionManager topology) {
        return topology != null && CLUSTER.get(topology.getClass());
    }

    /** Per Redisson client: {@link #ackBoundNanos}, computed once. */
    private static final WeakIdentityMap<Long> ACK_BOUNDS = new WeakIdentityMap<>();

    /** The bound when the client's settings cannot be read: longer than Redisson's defaults could ever take. */
    static final long DEFAULT_ACK_BOUND_NANOS = 120_000_000_000L;

    /**
     * The longest Redisson may take to acknowledge a command of {@code topology}'s client, from its settings: every
     * attempt ({@code retryAttempts + 1}) waiting its full {@code timeout}, with the longest retry interval between
     * (at least 2 s, the most Redisson 3.52+'s default delay strategy waits), doubled, plus 10 s for connecting.
     */
    static long ackBoundNanos(ConnectionManager topology) {
        Long known = ACK_BOUNDS.get(topology);
        if (known != null) {
            return known;
        }
        long bound = DEFAULT_ACK_BOUND_NANOS;
        try {
            Object config = CONFIG.of(topology);
            if (config instanceof BaseConfig) {
                BaseConfig<?> settings = (BaseConfig<?>) config;
                long attempts = Math.max(0, settings.getRetryAttempts()) + 1L;
                long perAttemptMillis = Math.max(0, settings.getTimeout()) + Math.max(2000L, settings.getRetryInterval());
                bound = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2 * attempts * perAttemptMillis + 10_000L);
            }
        } catch (Exception | LinkageError e) {
            bound = DEFAULT_ACK_BOUND_NANOS;
        }
        ACK_BOUNDS.put(topology, bound);
        return bound;
    }

    /**
     * A connection manager's property that Redisson moved to its service manager in 3.30 ({@code getConfig()},
     * {@code isShuttingDown()}): the methods to call in turn, per connection manager class; none when neither has it.
     */
    static final class ManagerProperty extends ClassValue<Method[]> {

        private final String getter;

        ManagerProperty(String getter) {
            this.getter = getter;
        }

        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                return new Method[] {type.getMethod(getter)};
            } catch (NoSuchMethodException e) {
                try {
                    Method serviceManager = type.getMethod("getServiceManager");
                    return new Method[] {serviceManager, serviceManager.getReturnType().getMethod(getter)};
                } catch (NoSuchMethodException ignored) {
                    return new Method[0];
                }
            }
        }

        /** The property of {@code manager}, or {@code null} when its Redisson has none. */
        Object of(ConnectionManager manager) throws Exception {
            Method[] path = get(manager.getClass());
            Object target = manager;
            for (Method step : path) {
                target = step.invoke(target);
            }
            return path.length == 0 ? null : target;
        }
    }

    /** The client's server settings ({@code MasterSlaveServersConfig}). */
    private static final ManagerProperty CONFIG = new ManagerProperty("getConfig");

    /** Whether Redisson is shutting the client down. */
    private static final ManagerProperty SHUTTING_DOWN = new ManagerProperty("isShuttingDown");

    /** The hash slot the monitor's view is asked for: the command's in a cluster, -1 (the only shard) otherwise. */
    static int slotOf(ConnectionManager topology, Object source) {
        if (!isCluster(topology) || !(source instanceof org.redisson.connection.NodeSource)) {
            return -1;
        }
        Integer slot = ((org.redisson.connection.NodeSource) source).getSlot();
        return slot == null ? -1 : slot;
    }

    static boolean shuttingDown(ConnectionManager manager) {
        try {
            return Boolean.TRUE.equals(SHUTTING_DOWN.of(manager));
        } catch (Exception e) {
            return false;
        }
    }

    private static Endpoint endpoint(RedisClient client) {
        InetSocketAddress address = client.getAddr();
        return new Endpoint(address.getHostString(), address.getPort());
    }

    /**
     * Hands the outcome of an {@code INFO replication} Redisson sent to {@code answer}: its fields as the text
     * {@code INFO} sends; an error reply (an ACL's {@code NOPERM}, which will refuse again) as refused; a lost
     * connection or a timeout (the next question, perhaps to a new master, may succeed) as failed.
     */
    static void answer(RFuture<Map<String, String>> info, final ClientTopology.InfoAnswer answer) {
        info.whenComplete(new BiConsumer<Map<String, String>, Throwable>() {
            @Override
            public void accept(Map<String, String> fields, Throwable error) {
                if (error instanceof RedisConnectionException || error instanceof RedisTimeoutException) {
                    answer.failed(error);
                } else if (error instanceof RedisException) {
                    answer.refused(error.getMessage());
                } else if (error != null || fields == null) {
                    answer.failed(error != null ? error : new IllegalStateException("no reply"));
                } else {
                    answer.answered(Topology.text(fields));
                }
            }
        });
    }

    /** One Redisson client's topology. Holds the application's objects weakly. */
    static final class Topology implements ClientTopology {

        private final WeakReference<ConnectionManager> manager;

        private final String description;

        Topology(ConnectionManager manager) {
            this.manager = new WeakReference<>(manager);
            this.description = "Redisson " + (isCluster(manager) ? "Cluster" : "master/slave")
                    + " " + describe(manager);
        }

        private static String describe(ConnectionManager manager) {
            for (MasterSlaveEntry entry : manager.getEntrySet()) {
                if (entry.getClient() != null) {
                    return endpoint(entry.getClient()).toString();
                }
            }
            return "(no master yet)";
        }

        @Override
        public boolean inUse() {
            ConnectionManager current = manager.get();
            return current != null && !shuttingDown(current) && executor(current) != null;
        }

        @Override
        public List<ShardNodes> shards() {
            ConnectionManager current = manager.get();
            if (current == null) {
                return Collections.emptyList();
            }
            Collection<MasterSlaveEntry> entries = current.getEntrySet();
            if (!isCluster(current)) {
                List<ShardNodes> shards = new ArrayList<>(1);
                for (MasterSlaveEntry entry : entries) {
                    if (entry.getClient() != null) {
                        shards.add(new ShardNodes(endpoint(entry.getClient()), replicas(entry), null));
                    }
                }
                return shards;
            }
            // Redisson knows each slot's entry; the monitor wants each shard's slots.
            Map<MasterSlaveEntry, SlotList> slots = new IdentityHashMap<>();
            for (int slot = 0; slot < CLUSTER_SLOTS; slot++) {
                MasterSlaveEntry entry = current.getEntry(slot);
                if (entry != null) {
                    SlotList served = slots.get(entry);
                    if (served == null) {
                        served = new SlotList();
                        slots.put(entry, served);
                    }
                    served.add(slot);
                }
            }
            List<ShardNodes> shards = new ArrayList<>(slots.size());
            for (Map.Entry<MasterSlaveEntry, SlotList> shard : slots.entrySet()) {
                MasterSlaveEntry entry = shard.getKey();
                if (entry.getClient() != null) {
                    shards.add(new ShardNodes(endpoint(entry.getClient()), replicas(entry), shard.getValue().toArray()));
                }
            }
            return shards;
        }

        /** The replicas Redisson may read from: its slave entries that are not frozen. */
        private static List<Endpoint> replicas(MasterSlaveEntry entry) {
            List<Endpoint> replicas = new ArrayList<>();
            for (ClientConnectionsEntry each : entry.getAllEntries()) {
                if (each.getNodeType() == NodeType.SLAVE && !each.isFreezed() && each.getClient() != null) {
                    replicas.add(endpoint(each.getClient()));
                }
            }
            return replicas;
        }

        @Override
        public void info(Endpoint node, final InfoAnswer answer) {
            ConnectionManager current = manager.get();
            CommandAsyncService executor = current == null ? null : executor(current);
            if (executor == null) {
                answer.failed(new IllegalStateException("the Redisson client is gone"));
                return;
            }
            RFuture<Map<String, String>> info = null;
            try {
                for (MasterSlaveEntry entry : current.getEntrySet()) {
                    if (entry.getClient() != null && endpoint(entry.getClient()).equals(node)) {
                        info = executor.writeAsync(entry.getClient(), StringCodec.INSTANCE,
                                RedisCommands.INFO_REPLICATION);
                        break;
                    }
                    for (ClientConnectionsEntry each : entry.getAllEntries()) {
                        if (each.getNodeType() == NodeType.SLAVE && each.getClient() != null
                                && endpoint(each.getClient()).equals(node)) {
                            info = executor.readAsync(each.getClient(), StringCodec.INSTANCE,
                                    RedisCommands.INFO_REPLICATION);
                            break;
                        }
                    }
                    if (info != null) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                answer.failed(e);
                return;
            }
            if (info == null) {
                answer.failed(new IllegalStateException(node + " is no longer known to the Redisson client"));
                return;
            }
            answer(info, answer);
        }

        /** The reply's fields as the text {@code INFO} sends ({@code name:value} lines), which the monitor parses. */
        static String text(Map<String, String> fields) {
            StringBuilder text = new StringBuilder("# Replication\r\n");
            for (Map.Entry<String, String> field : fields.entrySet()) {
                text.append(field.getKey()).append(':').append(field.getValue()).append("\r\n");
            }
            return text.toString();
        }

        @Override
        public void forget(Endpoint node) {
            // No connection of the agent's own: Redisson's pools are the application's.
        }

        @Override
        public void close() {
            // As forget: nothing of the agent's to close.
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public void releaseThread() {
            io.netty.util.concurrent.FastThreadLocal.removeAll();
        }
    }

    /** A growing list of hash slots. */
    private static final class SlotList {

        private int[] slots = new int[256];

        private int count;

        void add(int slot) {
            if (count == slots.length) {
                slots = Arrays.copyOf(slots, count * 2);
            }
            slots[count++] = slot;
        }

        int[] toArray() {
            return Arrays.copyOf(slots, count);
        }
    }
}
