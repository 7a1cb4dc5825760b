package io.stateguard.agent.routing;

import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.replication.ReplicationMonitor;

import java.util.Collection;

/**
 * Per-key primary routing, called from a client adapter's advice; knows no Redis client.
 *
 * <p>Clients decide where a command goes in two steps, both on the calling thread: a channel
 * writer computes a connection intent ({@code READ} or {@code WRITE}) from the command type, then
 * asks its connection provider for a connection with that intent; only {@code READ} consults the
 * application's read preference. The provider never sees the command, so the writer advice records
 * the command being dispatched ({@link #enter}, with the adapter's {@link CommandKeyReader}), and the
 * provider advice asks {@link #routeToPrimary} whether its {@code READ} should become a {@code WRITE},
 * which means "the primary" (Master/Replica) or "the slot's master" (Cluster). Writes never pay for
 * key matching: the keys are read only when a {@code READ} intent is asked about.
 *
 * <p>Every method fails open: on any internal error the intent stays what the client computed, the
 * error is counted and logged once.
 */
public final class PrimaryRouting {

    private static volatile RoutingPolicy policy;

    private static volatile RoutingStats stats = new RoutingStats(0);

    /** The command (or batch) the current thread is dispatching through an instrumented writer. */
    private static final ThreadLocal<Dispatch> CURRENT = new ThreadLocal<Dispatch>() {
        @Override
        protected Dispatch initialValue() {
            return new Dispatch();
        }
    };

    private PrimaryRouting() {
    }

    /** Activates routing with the given policy; before this call every entry point is a no-op. */
    public static void install(RoutingPolicy routingPolicy) {
        stats = new RoutingStats(routingPolicy.rules().size());
        policy = routingPolicy;
    }

    /** Deactivates routing (the agent's state before {@link #install}). */
    public static void uninstall() {
        policy = null;
    }

    public static RoutingStats stats() {
        return stats;
    }

    /**
     * Writer advice, on entry to the write of one command: remembers it for the provider call that
     * follows on this thread.
     */
    public static void enter(CommandKeyReader reader, Object command) {
        enter(reader, null, command);
    }

    /**
     * Writer advice, on entry to the write of one command through {@code topology} (the client object the
     * replication monitor knows the topology by: a channel writer): remembers both for the provider call.
     */
    public static void enter(CommandKeyReader reader, Object topology, Object command) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.topology = topology;
        dispatch.reader = reader;
        dispatch.command = command;
        dispatch.batch = null;
        dispatch.active = true;
        dispatch.toPrimary = false;
    }

    /**
     * Writer advice, on entry to the write of a command that must go to the primary whatever its keys:
     * the guard's own re-read, written again by the client (a {@code MOVED}/{@code ASK} redirect) on a
     * thread that is not inside the guard's dispatch of it.
     */
    public static void enterToPrimary(CommandKeyReader reader, Object command) {
        enter(reader, command);
        if (policy != null) {
            CURRENT.get().toPrimary = true;
        }
    }

    /** Writer advice, on entry to the write of a batch: remembers it. */
    public static void enterBatch(CommandKeyReader reader, Collection<?> commands) {
        enterBatch(reader, null, commands);
    }

    /** Writer advice, on entry to the write of a batch through {@code topology}: remembers it. */
    public static void enterBatch(CommandKeyReader reader, Object topology, Collection<?> commands) {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.topology = topology;
        dispatch.reader = reader;
        dispatch.command = null;
        dispatch.batch = commands;
        dispatch.active = true;
        dispatch.toPrimary = false;
    }

    /** Writer advice, on exit from either write (also when it threw). */
    public static void exit() {
        if (policy == null) {
            return;
        }
        Dispatch dispatch = CURRENT.get();
        dispatch.active = false;
        dispatch.toPrimary = false;
        dispatch.reader = null;
        dispatch.command = null;
        dispatch.batch = null;
        dispatch.topology = null;
    }

    /**
     * Provider advice, for a {@code READ} intent: whether the command being dispatched on this thread
     * goes to the primary instead (it reads a key of a rule that routes there, or the guard is
     * re-reading). Counts the routed read.
     */
    public static boolean routeToPrimary() {
        return routeToPrimary(-1);
    }

    /**
     * {@link #routeToPrimary()} for a Cluster provider, which knows the hash slot the command goes to: a
     * {@code causal} or {@code replica-checked} rule asks the replication monitor about that slot's shard.
     *
     * @param slot the hash slot, or -1 (Master/Replica: one shard)
     */
    public static boolean routeToPrimary(int slot) {
        RoutingPolicy current = policy;
        if (current == null) {
            return false;
        }
        try {
            Dispatch dispatch = CURRENT.get();
            if (dispatch.forcePrimary || dispatch.active && dispatch.toPrimary) {
                return true;
            }
            if (!dispatch.active || !current.routesAnything()) {
                return false;
            }
            return decide(current, dispatch.reader, dispatch.topology, slot, dispatch.command, dispatch.batch);
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
        }
    }

    /**
     * The decision for one read (or batch) about to be sent: {@code primary} rules go to the primary; {@code causal}
     * and {@code replica-checked} rules ask the replication monitor's view of {@code topology}'s shard for
     * {@code slot} ({@link ReplicaReads}): without a view, causal reads go to the primary and replica-checked reads
     * keep the client's routing. Counts the routed read.
     */
    private static boolean decide(RoutingPolicy current, CommandKeyReader reader, Object topology, int slot,
            Object command, Collection<?> batch) throws Exception {
        if (current.routesToPrimary()) {
            int rule = firstAcceptedRule(reader, command, batch, current, current.forcePrimaryByRule());
            if (rule >= 0) {
                stats.increment(rule);
                return true;
            }
        }
        if (current.watchesReplicas()) {
            int rule = firstAcceptedRule(reader, command, batch, current, current.watchesReplicasByRule());
            if (rule >= 0) {
                if (!ReplicaReads.replicasMayServe(current, rule, topology, slot, reader, command)) {
                    stats.increment(rule);
                    return true;
                }
                if (current.isCausal(rule)) {
                    stats.incrementChecked(rule); // served by replicas (replica-checked reads: counted by the guard)
                }
            }
        }
        return false;
    }

    /**
     * Provider advice, for a {@code WRITE} intent: when the command (or a command of the batch) being dispatched
     * writes a key of a {@code causal} rule, remembers it until its reply ({@link CausalWrites}).
     */
    public static void onWriteIntent() {
        RoutingPolicy current = policy;
        if (current == null || !current.remembersWrites()) {
            return;
        }
        try {
            Dispatch dispatch = CURRENT.get();
            if (!dispatch.active || dispatch.toPrimary || dispatch.forcePrimary) {
                return;
            }
            // The topology a causal key is written through is monitored from then on, so that the first reads of it
            // already find its replicas known.
            ReplicaReads.watch(dispatch.topology);
            if (dispatch.batch == null) {
                rememberWrite(dispatch.reader, dispatch.command, current);
            } else {
                for (Object command : dispatch.batch) {
                    if (command != null) {
                        rememberWrite(dispatch.reader, command, current);
                    }
                }
            }
        } catch (Throwable t) {
            InternalErrors.record("routing.write", t);
        }
    }

    private static void rememberWrite(CommandKeyReader reader, Object command, RoutingPolicy current)
            throws Exception {
        if (reader.firstAcceptedRule(command, current.matcher(), current.causalByRule()) >= 0) {
            CausalWrites.register(command, reader.writtenKeyHashes(command));
        }
    }

    /** The first key of the command (or of a command of the batch) whose rule is {@code accepted}. */
    private static int firstAcceptedRule(CommandKeyReader reader, Object command, Collection<?> batch,
            RoutingPolicy current, boolean[] accepted) throws Exception {
        if (batch == null) {
            return reader.firstAcceptedRule(command, current.matcher(), accepted);
        }
        for (Object each : batch) {
            if (each == null) {
                continue;
            }
            int rule = reader.firstAcceptedRule(each, current.matcher(), accepted);
            if (rule >= 0) {
                return rule;
            }
        }
        return -1;
    }

    /**
     * Forces every read dispatched on this thread to the primary until called with {@code false};
     * used by the version guard's re-read.
     */
    public static void forcePrimary(boolean force) {
        CURRENT.get().forcePrimary = force;
    }

    /** Whether a rule asks the replication monitor ({@code causal}, {@code replica-checked}). */
    public static boolean watchesReplicas() {
        RoutingPolicy current = policy;
        return current != null && current.watchesReplicas();
    }

    /** Whether a rule is {@code causal}: its writes are remembered until their replies. */
    public static boolean remembersWrites() {
        RoutingPolicy current = policy;
        return current != null && current.remembersWrites();
    }

    /**
     * {@link #routesToPrimary(CommandKeyReader, Object, int, Object)} for a client the replication monitor does not
     * know: {@code causal} reads go to the primary, {@code replica-checked} reads keep the client's routing.
     */
    public static boolean routesToPrimary(CommandKeyReader reader, Object command) {
        return routesToPrimary(reader, null, -1, command);
    }

    /**
     * For clients that decide where a read goes in one call that sees the command (Redisson): whether
     * {@code command}, a read, goes to the primary instead (it reads a key of a rule that routes there, a
     * {@code causal} or {@code replica-checked} rule's replicas may not serve it, or the guard is re-reading on this
     * thread). Counts the routed read. Leaves the writer/provider state of {@link #enter} alone. Fails open:
     * {@code false} on any internal error.
     *
     * @param topology the client object the replication monitor knows the topology by, or {@code null}
     * @param slot the hash slot (Cluster), or -1 (one shard)
     */
    public static boolean routesToPrimary(CommandKeyReader reader, Object topology, int slot, Object command) {
        RoutingPolicy current = policy;
        if (current == null) {
            return false;
        }
        try {
            if (CURRENT.get().forcePrimary) {
                return true;
            }
            if (!current.routesAnything()) {
                return false;
            }
            return decide(current, reader, topology, slot, command, null);
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
        }
    }

    /**
     * For clients that see a write and its reply in calls of their own (Redisson): when {@code command}, a write
     * about to be sent through {@code topology}, writes a key of a {@code causal} rule, remembers its keys until
     * {@link CausalWrites#take take}n back by {@code completion} (the object the client's completion knows the
     * command by), and has the monitor watch {@code topology}. Fails open.
     */
    public static void rememberWrite(CommandKeyReader reader, Object topology, Object command, Object completion) {
        RoutingPolicy current = policy;
        if (current == null || !current.remembersWrites() || CURRENT.get().forcePrimary) {
            return;
        }
        try {
            if (reader.firstAcceptedRule(command, current.matcher(), current.causalByRule()) >= 0) {
                ReplicaReads.watch(topology);
                CausalWrites.register(completion, reader.writtenKeyHashes(command));
            }
        } catch (Throwable t) {
            InternalErrors.record("routing.write", t);
        }
    }

    /**
     * For a write of a {@code causal} rule's key whose reply the client adapter cannot see (a Redisson batch): its
     * keys count as acknowledged {@code boundNanos} from now, the longest the client may take to acknowledge it, so
     * that reads of them go to the primary until the replicas have applied what the primary had by then. Fails
     * open.
     */
    public static void rememberUnobservedWrite(CommandKeyReader reader, Object topology, Object command,
            long boundNanos) {
        RoutingPolicy current = policy;
        ReplicationMonitor monitor = ReplicationMonitor.current();
        if (current == null || monitor == null || !current.remembersWrites()) {
            return;
        }
        try {
            if (reader.firstAcceptedRule(command, current.matcher(), current.causalByRule()) >= 0) {
                ReplicaReads.watch(topology);
                long[] hashes = reader.writtenKeyHashes(command);
                CausalWrites.acknowledged(hashes == null ? CausalWrites.EVERY_KEY : hashes,
                        monitor.nanoTime() + boundNanos);
            }
        } catch (Throwable t) {
            InternalErrors.record("routing.write", t);
        }
    }

    private static final class Dispatch {
        boolean forcePrimary;
        boolean active;
        /** The command being dispatched goes to the primary (see {@link #enterToPrimary}). */
        boolean toPrimary;
        CommandKeyReader reader;
        Object command;
        Collection<?> batch;
        /** The client object of the topology the command goes through, or {@code null}. */
        Object topology;
    }
}
