package io.stateguard.agent.replication;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.internal.WeakIdentityMap;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Polls {@code INFO replication} of every node of every topology the application's client uses, on connections
 * of the agent's own, and publishes per shard what the answers show ({@link ShardView}): the primary's offset
 * timeline, each replica's applied offset and lag, failovers.
 *
 * <p>A topology is registered the first time the routing decision asks about it ({@link #view}); until its
 * first poll round has been answered its view is unknown ({@code null}), which sends causal reads to the primary.
 * The nodes are taken from the client's own view at every round, so the monitor follows failovers and topology
 * refreshes. Polls run on one daemon thread, one round per poll interval; a node whose previous answer is still
 * outstanding is not asked again; a node that refuses {@code INFO} (an ACL) is asked again after a minute, with
 * one warning; a node that cannot be reached is retried every round, with one warning. A topology the
 * application no longer uses (its connection closed or collected) is dropped with its connections. Nothing here
 * blocks the application's threads: the routing decision reads a published view.
 */
public final class ReplicationMonitor {

    /** Turns a client object the routing decision sees (a channel writer) into a {@link ClientTopology}. */
    public interface TopologyFactory {

        /** @return the topology, or {@code null} when {@code clientObject} is not this adapter's or not replicated */
        ClientTopology topologyOf(Object clientObject);
    }

    /** Receives proven failovers. */
    public interface Listener {

        void failover(String topology, Endpoint primary, String previousId, String currentId);
    }

    /** Receives each known replica's lag, for metrics. */
    public interface LagSink {

        void lag(Endpoint replica, long lagNanos, long lagBytes);
    }

    /** How long a node that refused {@code INFO} is not asked again. */
    static final long REFUSED_PAUSE_NANOS = 60_000_000_000L;

    static final int CLUSTER_SLOTS = 16384;

    private static final List<WeakReference<TopologyFactory>> FACTORIES = new CopyOnWriteArrayList<>();

    private static final WeakReference<Object> NO_CLIENT = new WeakReference<>(null);

    private static volatile ReplicationMonitor installed;

    /** What a dropped topology points to instead of the adapter's object. */
    private static final ClientTopology CLOSED = new ClientTopology() {
        @Override
        public boolean inUse() {
            return false;
        }

        @Override
        public List<ShardNodes> shards() {
            return java.util.Collections.emptyList();
        }

        @Override
        public void info(Endpoint node, InfoAnswer answer) {
            answer.failed(new IllegalStateException("closed"));
        }

        @Override
        public void forget(Endpoint node) {
        }

        @Override
        public void close() {
        }

        @Override
        public String describe() {
            return "closed topology";
        }
    };

    private final long pollNanos;
    private final long staleAfterNanos;
    private final Listener listener;
    private final LongSupplier nanos;
    private final WriteAcks acks = new WriteAcks();
    private final WeakIdentityMap<Monitored> topologies = new WeakIdentityMap<>();
    private final WeakIdentityMap<Boolean> unmonitored = new WeakIdentityMap<>();
    private final List<Monitored> all = new CopyOnWriteArrayList<>();
    private final AtomicLong failovers = new AtomicLong();
    private final Object lock = new Object();
    private volatile Object[] last = {NO_CLIENT, null};
    private ScheduledThreadPoolExecutor executor;
    private volatile boolean stopped;

    private final boolean pollsByItself;

    /**
     * @param pollNanos the poll interval ({@code stateguard.replication.poll-interval})
     * @param listener receives proven failovers, may be {@code null}
     * @param nanos the clock ({@link System#nanoTime()})
     */
    public ReplicationMonitor(long pollNanos, Listener listener, LongSupplier nanos) {
        this(pollNanos, listener, nanos, true);
    }

    /** {@code pollsByItself = false}: no thread; rounds run when {@link #tick()} is called (tests). */
    ReplicationMonitor(long pollNanos, Listener listener, LongSupplier nanos, boolean pollsByItself) {
        this.pollsByItself = pollsByItself;
        if (pollNanos <= 0) {
            throw new IllegalArgumentException("poll interval must be positive");
        }
        this.pollNanos = pollNanos;
        // A round answered later than this is not used: the monitor is starved or a node hangs. Generous enough for a
        // busy machine (GC pauses, a loaded CPU), strict enough that a stopped monitor sends causal reads to the primary.
        this.staleAfterNanos = 3 * pollNanos + 500_000_000L;
        this.listener = listener;
        this.nanos = nanos;
    }

    /** Registers a client adapter's factory (idempotent), held weakly: it lives in its client's class loader. */
    public static void addFactory(TopologyFactory factory) {
        for (WeakReference<TopologyFactory> known : FACTORIES) {
            if (known.get() == factory) {
                return;
            }
        }
        FACTORIES.add(new WeakReference<>(factory));
    }

    /**
     * Activates {@code monitor} and starts its thread; before this call {@link #current()} is {@code null} (no
     * rule needs one). The thread starts here, at the agent's start, and not when the first topology is seen:
     * a thread started from an application thread would inherit that thread's access control context, whose
     * protection domains would keep the application's class loader from being collected.
     */
    public static void install(ReplicationMonitor monitor) {
        installed = monitor;
        synchronized (monitor.lock) {
            monitor.startPolling();
        }
    }

    /** Stops and removes the installed monitor. */
    public static void uninstall() {
        ReplicationMonitor monitor = installed;
        installed = null;
        if (monitor != null) {
            monitor.stop();
        }
    }

    /** The installed monitor, or {@code null} when no rule needs one. */
    public static ReplicationMonitor current() {
        return installed;
    }

    /** This process's acknowledged writes of causally routed keys. */
    public WriteAcks acks() {
        return acks;
    }

    public long nanoTime() {
        return nanos.getAsLong();
    }

    /**
     * The view of the shard that serves {@code slot} (Cluster) or of the only shard ({@code slot < 0}) of the
     * topology behind {@code clientObject}; registers the topology on first sight. Never blocks.
     *
     * @return the view, or {@code null} while unknown (not monitored, not answered yet, slot not served)
     */
    public ShardView view(Object clientObject, int slot) {
        if (clientObject == null || stopped) {
            return null;
        }
        Object[] cached = last;
        Monitored monitored;
        if (((WeakReference<?>) cached[0]).get() == clientObject) {
            monitored = (Monitored) cached[1];
        } else {
            monitored = lookup(clientObject);
            if (monitored == null) {
                return null;
            }
            last = new Object[] {new WeakReference<>(clientObject), monitored};
        }
        return monitored.view(slot);
    }

    /** Receives the answer of {@link #readPrimaryId}. */
    public interface PrimaryIdCallback {

        /**
         * @param replicationId the primary's {@code master_replid}, or {@code null} when not known
         * @param refusal the error reply when the primary refused {@code INFO}, else {@code null}
         */
        void done(String replicationId, String refusal);
    }

    /**
     * Reads, now, the replication ID of the primary of a Master/Replica topology this monitor polls, on the
     * monitor's own connection to it (never the application's): the guard's proof of lost writes shares the
     * monitor's connections instead of opening its own path. Never blocks; calls {@code callback} once.
     *
     * @return {@code false} (without calling back) when the topology is not polled yet or is a Cluster
     */
    public boolean readPrimaryId(Object clientObject, final PrimaryIdCallback callback) {
        Monitored monitored = clientObject == null || stopped ? null : lookup(clientObject);
        List<ShardNodes> shards = monitored == null ? null : monitored.layout;
        if (shards == null || shards.size() != 1 || shards.get(0).slots() != null) {
            return false;
        }
        monitored.topology.info(shards.get(0).primary(), new ClientTopology.InfoAnswer() {
            @Override
            public void answered(String text) {
                ReplicationInfo info = ReplicationInfo.parse(text);
                callback.done(info.role() == ReplicationInfo.Role.PRIMARY ? info.replicationId() : null, null);
            }

            @Override
            public void refused(String error) {
                callback.done(null, error);
            }

            @Override
            public void failed(Throwable cause) {
                callback.done(null, null);
            }
        });
        return true;
    }

    /** Failovers seen so far (changes of a shard primary's replication ID). */
    public long failovers() {
        return failovers.get();
    }

    /** Hands every replica with a known lag to {@code sink} (not one behind every sample: no bound is known). */
    public void lags(LagSink sink) {
        for (Monitored monitored : all) {
            Published published = monitored.published;
            if (published == null) {
                continue;
            }
            for (ShardView view : published.views) {
                for (int i = 0; i < view.replicas().size(); i++) {
                    if (view.usable(i) && view.lagNanos(i) != Long.MAX_VALUE) {
                        sink.lag(view.replicas().get(i), view.lagNanos(i), view.lagBytes(i));
                    }
                }
            }
        }
    }

    /** Topologies monitored now; for tests and diagnostics. */
    int monitoredCount() {
        return all.size();
    }

    /** Stops polling and closes the agent's connections. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            if (executor != null) {
                executor.shutdownNow();
            }
        }
        for (Monitored monitored : all) {
            monitored.close();
        }
        all.clear();
    }

    private Monitored lookup(Object clientObject) {
        Monitored monitored = topologies.get(clientObject);
        if (monitored != null || unmonitored.contains(clientObject)) {
            return monitored;
        }
        synchronized (lock) {
            monitored = topologies.get(clientObject);
            if (monitored != null || unmonitored.contains(clientObject) || stopped) {
                return monitored;
            }
            ClientTopology topology = null;
            for (WeakReference<TopologyFactory> reference : FACTORIES) {
                TopologyFactory factory = reference.get();
                if (factory != null) {
                    try {
                        topology = factory.topologyOf(clientObject);
                    } catch (Throwable t) {
                        InternalErrors.record("replication.topology", t);
                    }
                    if (topology != null) {
                        break;
                    }
                }
            }
            if (topology == null) {
                unmonitored.put(clientObject, Boolean.TRUE);
                return null;
            }
            monitored = new Monitored(clientObject, topology);
            topologies.put(clientObject, monitored);
            all.add(monitored);
            AgentLog.info("replication monitor: polling INFO replication of " + topology.describe() + " every "
                    + TimeUnit.NANOSECONDS.toMillis(pollNanos) + " ms");
            return monitored;
        }
    }

    private void startPolling() {
        if (executor != null || !pollsByItself) {
            return;
        }
        executor = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = new Thread(task, "stateguard-replication-monitor");
                thread.setDaemon(true);
                thread.setContextClassLoader(null);
                return thread;
            }
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.scheduleWithFixedDelay(new Runnable() {
            @Override
            public void run() {
                tick();
            }
        }, 0, pollNanos, TimeUnit.NANOSECONDS);
    }

    /** One poll round of every topology; on the monitor's thread. */
    void tick() {
        long now = nanos.getAsLong();
        for (Monitored monitored : all) {
            try {
                if (monitored.client.get() == null || !monitored.topology.inUse()) {
                    all.remove(monitored);
                    String description = monitored.topology.describe();
                    ClientTopology closing = monitored.topology;
                    monitored.close();
                    closing.releaseThread();
                    forget(monitored);
                    AgentLog.info("replication monitor: stopped polling " + description + " (the application closed it)");
                    continue;
                }
                monitored.publish(now);
                monitored.poll(now);
            } catch (Throwable t) {
                InternalErrors.record("replication.monitor", t);
            } finally {
                releaseThread(monitored);
            }
        }
    }

    private static void releaseThread(Monitored monitored) {
        try {
            monitored.topology.releaseThread();
        } catch (Throwable t) {
            InternalErrors.record("replication.monitor", t);
        }
    }

    /**
     * Lets go of everything that reaches a dropped topology: its adapter object lives in the application's class
     * loader, which must be free to go once the application lets go of its client.
     */
    private void forget(Monitored monitored) {
        Object client = monitored.client.get();
        if (client != null) {
            topologies.remove(client);
        }
        topologies.size(); // drops entries whose client was collected
        if (last[1] == monitored) {
            last = new Object[] {NO_CLIENT, null};
        }
    }

    private void execute(Runnable task) {
        try {
            ScheduledThreadPoolExecutor current = executor;
            if (current != null && !stopped) {
                current.execute(task);
            } else if (!pollsByItself && !stopped) {
                task.run(); // tests: no thread of its own
            }
        } catch (Throwable t) {
            // shut down meanwhile: the round's answers are dropped
        }
    }

    /** What a topology's latest round published: a view per shard, and which shard serves each slot. */
    private static final class Published {
        final ShardView[] views;
        final short[] shardBySlot;

        Published(ShardView[] views, short[] shardBySlot) {
            this.views = views;
            this.shardBySlot = shardBySlot;
        }
    }

    /** One node's latest answer and whether it is being asked; written by answers, read by the monitor. */
    private static final class NodeState {
        volatile Sample latest;
        volatile boolean asking;
        volatile long pausedUntil;
        boolean paused;
    }

    /** One monitored topology. */
    private final class Monitored {

        final WeakReference<Object> client;
        volatile ClientTopology topology;
        final Map<Endpoint, NodeState> nodes = new HashMap<>();
        final Map<Integer, ShardReplication> shards = new HashMap<>();
        final AtomicInteger unanswered = new AtomicInteger();
        volatile List<ShardNodes> layout;
        volatile Published published;
        /** Failovers of this topology's shards, named after it. */
        final ShardReplication.Failovers failoversHere = new ShardReplication.Failovers() {
            @Override
            public void failover(Endpoint primary, String previousId, String currentId) {
                failedOver(topology.describe(), primary, previousId, currentId);
            }
        };
        final Runnable publishNow = new Runnable() {
            @Override
            public void run() {
                try {
                    publish(nanos.getAsLong());
                } catch (Throwable t) {
                    InternalErrors.record("replication.monitor", t);
                }
            }
        };

        Monitored(Object clientObject, ClientTopology topology) {
            this.client = new WeakReference<>(clientObject);
            this.topology = topology;
        }

        ShardView view(int slot) {
            Published current = published;
            if (current == null) {
                return null;
            }
            if (current.shardBySlot == null) {
                return current.views.length == 1 ? current.views[0] : null;
            }
            if (slot < 0 || slot >= CLUSTER_SLOTS) {
                return null;
            }
            int shard = current.shardBySlot[slot];
            return shard < 0 ? null : current.views[shard];
        }

        /** Sends a round of {@code INFO replication} to every node the client knows now. */
        void poll(long now) throws Exception {
            List<ShardNodes> current = topology.shards();
            layout = current;
            Set<Endpoint> seen = new HashSet<>();
            List<Endpoint> toAsk = new ArrayList<>();
            for (ShardNodes shard : current) {
                addNode(shard.primary(), seen, toAsk, now);
                for (Endpoint replica : shard.replicas()) {
                    addNode(replica, seen, toAsk, now);
                }
            }
            for (Endpoint known : new ArrayList<>(nodes.keySet())) {
                if (!seen.contains(known)) {
                    nodes.remove(known);
                    topology.forget(known);
                }
            }
            unanswered.addAndGet(toAsk.size());
            for (Endpoint node : toAsk) {
                topology.info(node, new Answer(node, nodes.get(node), now));
            }
        }

        private void addNode(Endpoint node, Set<Endpoint> seen, List<Endpoint> toAsk, long now) {
            if (!seen.add(node)) {
                return;
            }
            NodeState state = nodes.get(node);
            if (state == null) {
                state = new NodeState();
                nodes.put(node, state);
            }
            if (state.asking || state.paused && now - state.pausedUntil < 0) {
                return;
            }
            state.asking = true;
            toAsk.add(node);
        }

        /** Publishes what the latest answers show; on the monitor's thread. */
        void publish(long now) {
            List<ShardNodes> current = layout;
            if (current == null) {
                return;
            }
            ShardView[] views = new ShardView[current.size()];
            short[] bySlot = null;
            Set<Integer> identities = new HashSet<>();
            for (int i = 0; i < views.length; i++) {
                ShardNodes shard = current.get(i);
                int identity = shard.identity();
                identities.add(identity);
                ShardReplication replication = shards.get(identity);
                if (replication == null) {
                    replication = new ShardReplication();
                    shards.put(identity, replication);
                }
                Sample[] replicaSamples = new Sample[shard.replicas().size()];
                for (int r = 0; r < replicaSamples.length; r++) {
                    replicaSamples[r] = latest(shard.replicas().get(r));
                }
                views[i] = replication.update(shard.primary(), latest(shard.primary()), shard.replicas(),
                        replicaSamples, now, staleAfterNanos, failoversHere);
                int[] slots = shard.slots();
                if (slots != null) {
                    if (bySlot == null) {
                        bySlot = new short[CLUSTER_SLOTS];
                        Arrays.fill(bySlot, (short) -1);
                    }
                    for (int slot : slots) {
                        if (slot >= 0 && slot < CLUSTER_SLOTS) {
                            bySlot[slot] = (short) i;
                        }
                    }
                }
            }
            shards.keySet().retainAll(identities);
            published = new Published(views, bySlot);
        }

        private Sample latest(Endpoint node) {
            NodeState state = nodes.get(node);
            return state == null ? null : state.latest;
        }

        void close() {
            try {
                topology.close();
            } catch (Throwable t) {
                InternalErrors.record("replication.close", t);
            }
            published = null;
            layout = null;
            topology = CLOSED;
        }

        /** The answer of one node to one round. */
        private final class Answer implements ClientTopology.InfoAnswer {

            private final Endpoint node;
            private final NodeState state;
            private final long sentNanos;

            Answer(Endpoint node, NodeState state, long sentNanos) {
                this.node = node;
                this.state = state;
                this.sentNanos = sentNanos;
            }

            @Override
            public void answered(String text) {
                state.latest = new Sample(ReplicationInfo.parse(text), sentNanos, nanos.getAsLong());
                state.paused = false;
                done();
            }

            @Override
            public void refused(String error) {
                state.latest = null;
                state.pausedUntil = nanos.getAsLong() + REFUSED_PAUSE_NANOS;
                state.paused = true;
                AgentLog.once(AgentLog.Level.WARN, "replication.refused:" + node,
                        "replication monitor: " + node + " refused INFO replication (" + error + "); its offsets"
                                + " and lag stay unknown, so causal reads of its shard go to the primary and"
                                + " max-replica-lag cannot be applied to it (asked again every minute)", null);
                done();
            }

            @Override
            public void failed(Throwable cause) {
                state.latest = null;
                AgentLog.once(AgentLog.Level.WARN, "replication.unreachable:" + node,
                        "replication monitor: cannot ask " + node + " for INFO replication; until it answers, causal"
                                + " reads of its shard go to the primary", cause);
                done();
            }

            private void done() {
                state.asking = false;
                if (unanswered.decrementAndGet() == 0) {
                    execute(publishNow);
                }
            }
        }
    }

    private void failedOver(String topology, Endpoint primary, String previousId, String currentId) {
        failovers.incrementAndGet();
        AgentLog.warn("failover: " + topology + ": the primary " + primary + " has a new replication ID ("
                + previousId + " -> " + currentId + ")");
        if (listener != null) {
            try {
                listener.failover(topology, primary, previousId, currentId);
            } catch (Throwable t) {
                InternalErrors.record("replication.failover", t);
            }
        }
    }
}
