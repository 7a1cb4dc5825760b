package io.stateguard.agent.routing;

import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.keys.CommandKeyReader;

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
            if (current.routesToPrimary()) {
                int rule = firstAcceptedRule(dispatch, current, current.forcePrimaryByRule());
                if (rule >= 0) {
                    stats.increment(rule);
                    return true;
                }
            }
            if (current.watchesReplicas()) {
                int rule = firstAcceptedRule(dispatch, current, current.watchesReplicasByRule());
                if (rule >= 0) {
                    if (!ReplicaReads.replicasMayServe(current, rule, dispatch.topology, slot, dispatch.reader,
                            dispatch.command)) {
                        stats.increment(rule);
                        return true;
                    }
                    if (current.isCausal(rule)) {
                        stats.incrementChecked(rule); // served by replicas (replica-checked reads: counted by the guard)
                    }
                }
            }
            return false;
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
        }
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

    /** The first key of the command (or batch) being dispatched whose rule is {@code accepted}. */
    private static int firstAcceptedRule(Dispatch dispatch, RoutingPolicy current, boolean[] accepted)
            throws Exception {
        if (dispatch.batch == null) {
            return dispatch.reader.firstAcceptedRule(dispatch.command, current.matcher(), accepted);
        }
        for (Object command : dispatch.batch) {
            if (command == null) {
                continue;
            }
            int rule = dispatch.reader.firstAcceptedRule(command, current.matcher(), accepted);
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

    /**
     * For clients that decide where a read goes in one call that sees the command (Redisson): whether
     * {@code command}, a read, goes to the primary instead (it reads a key of a rule that routes there, or
     * the guard is re-reading on this thread). Counts the routed read. Leaves the writer/provider state
     * of {@link #enter} alone. Fails open: {@code false} on any internal error.
     */
    public static boolean routesToPrimary(CommandKeyReader reader, Object command) {
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
            // No replica view for this client: causal rules fail safe to the primary, replica-checked ones keep the
            // client's routing.
            int rule = reader.firstAcceptedRule(command, current.matcher(), current.primaryWithoutReplicaViewByRule());
            if (rule < 0) {
                return false;
            }
            stats.increment(rule);
            return true;
        } catch (Throwable t) {
            InternalErrors.record("routing.decide", t);
            return false;
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
