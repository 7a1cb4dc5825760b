package io.stateguard.agent.redisson;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.routing.PrimaryRouting;

import org.redisson.client.protocol.RedisCommand;
import org.redisson.command.CommandAsyncService;
import org.redisson.command.CommandBatchService;
import org.redisson.connection.ConnectionManager;

import java.lang.reflect.Method;
import java.util.List;

/**
 * Per-key primary routing for Redisson. Redisson decides master or replica by one flag,
 * {@code readOnlyMode}, that its {@code CommandAsyncService.async} (and {@code CommandBatchService.async},
 * and {@code evalAsync} for scripts) hands to the executor: {@code true} reads from the pool that the
 * application's {@code ReadMode} chose (replicas for {@code SLAVE}, all nodes for {@code MASTER_SLAVE}),
 * {@code false} uses the master of the key's shard. The advice replaces the flag with {@link #readOnlyMode}:
 * {@code false} for a read of a key of a {@code primary} rule. Writes ({@code false} already) cost nothing.
 *
 * <p>An executor that tracks changes (Redisson's client-side caching, {@code RClientSideCaching}: its reads use
 * connections with server-assisted invalidation) keeps its routing: its master connections are untracked, so a
 * forced read would be cached without ever being invalidated, which is worse than a lagging replica.
 */
public final class RedissonRouting {

    private RedissonRouting() {
    }

    static {
        RedissonTopologies.register();
    }

    /**
     * The {@code readOnlyMode} for {@code async(readOnlyMode, source, codec, command, params, ...)}. A read of a
     * {@code primary} rule's key goes to the master; a read of a {@code causal} or {@code replica-checked} rule's key
     * asks the replication monitor's view of the client's shard ({@link RedissonTopologies}). A write of a
     * {@code causal} rule's key is remembered until Redisson's {@code RedisExecutor.handleSuccess} reports its reply
     * ({@link RedissonCompletion}); one sent in a batch, whose reply that method never sees, counts as acknowledged
     * at the latest moment Redisson could acknowledge it ({@link RedissonTopologies#ackBoundNanos}).
     *
     * @param executor the {@code CommandAsyncService} (or subclass) called.
     * @param source the {@code NodeSource} (its slot, in a cluster).
     * @param command Redisson's {@code RedisCommand}.
     * @param params its parameters (keys first).
     */
    public static boolean readOnlyMode(boolean readOnlyMode, Object executor, Object source, Object command,
            Object[] params) throws Exception {
        if (command == null) {
            return readOnlyMode;
        }
        ConnectionManager topology = PrimaryRouting.watchesReplicas() ? topologyOf(executor) : null;
        if (!readOnlyMode) {
            if (topology != null && PrimaryRouting.remembersWrites()) {
                RedissonKeys.Read write = RedissonKeys.Read.command(((RedisCommand<?>) command).getName(), params);
                if (executor instanceof CommandBatchService) {
                    PrimaryRouting.rememberUnobservedWrite(RedissonKeys.READER, topology, write,
                            RedissonTopologies.ackBoundNanos(topology));
                } else {
                    PrimaryRouting.rememberWrite(RedissonKeys.READER, topology, write, params);
                }
            }
            return false;
        }
        if (tracksChanges(executor)) {
            return true;
        }
        String name = ((RedisCommand<?>) command).getName();
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, topology, RedissonTopologies.slotOf(topology, source),
                RedissonKeys.Read.command(name, params));
    }

    /**
     * The {@code readOnlyMode} for {@code evalAsync(source, readOnlyMode, codec, command, script, keys, ...)}: a
     * read-only script is routed by its keys as a read of several keys; a script that writes a {@code causal} rule's
     * key counts as a write whose reply is not seen (Redisson may send it without {@code async}).
     */
    public static boolean evalReadOnlyMode(boolean readOnlyMode, Object executor, Object keys) throws Exception {
        if (!(keys instanceof List) || ((List<?>) keys).isEmpty()) {
            return readOnlyMode;
        }
        RedissonKeys.Read read = RedissonKeys.Read.keys(((List<?>) keys).toArray());
        ConnectionManager topology = PrimaryRouting.watchesReplicas() ? topologyOf(executor) : null;
        if (!readOnlyMode) {
            if (topology != null && PrimaryRouting.remembersWrites()) {
                PrimaryRouting.rememberUnobservedWrite(RedissonKeys.READER, topology, read,
                        RedissonTopologies.ackBoundNanos(topology));
            }
            return false;
        }
        if (tracksChanges(executor)) {
            return true;
        }
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, topology, -1, read);
    }

    /**
     * The connection manager of {@code executor}'s client, which the replication monitor knows the topology by; the
     * executor is remembered to ask its nodes through. {@code null} for another object.
     */
    private static ConnectionManager topologyOf(Object executor) {
        if (!(executor instanceof CommandAsyncService)) {
            return null;
        }
        ConnectionManager topology = ((CommandAsyncService) executor).getConnectionManager();
        if (topology != null) {
            RedissonTopologies.executorOf(topology, (CommandAsyncService) executor);
        }
        return topology;
    }

    /** Per executor class: its public {@code isTrackChanges()} (Redisson 3.30 has it, 3.23 not yet), or {@code null}. */
    private static final ClassValue<Method> IS_TRACK_CHANGES = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method method = type.getMethod("isTrackChanges");
                return method.getReturnType() == boolean.class ? method : null;
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
    };

    /** Whether {@code executor} tracks changes for client-side caching; said once when it does. */
    static boolean tracksChanges(Object executor) throws Exception {
        if (executor == null) {
            return false;
        }
        Method isTrackChanges = IS_TRACK_CHANGES.get(executor.getClass());
        if (isTrackChanges == null || !((Boolean) isTrackChanges.invoke(executor))) {
            return false;
        }
        AgentLog.once(AgentLog.Level.INFO, "redisson:tracked", "reads through Redisson's client-side caching"
                + " (RClientSideCaching) keep Redisson's routing: a read forced to the master would use a connection"
                + " without invalidations, and its cached value could stay stale", null);
        return true;
    }
}
