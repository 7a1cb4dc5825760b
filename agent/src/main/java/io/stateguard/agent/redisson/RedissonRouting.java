package io.stateguard.agent.redisson;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.routing.PrimaryRouting;

import org.redisson.client.protocol.RedisCommand;

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

    /**
     * The {@code readOnlyMode} for {@code async(readOnlyMode, source, codec, command, params, ...)}.
     *
     * @param executor the {@code CommandAsyncService} (or subclass) called.
     * @param command Redisson's {@code RedisCommand}.
     * @param params its parameters (keys first).
     */
    public static boolean readOnlyMode(boolean readOnlyMode, Object executor, Object command, Object[] params)
            throws Exception {
        if (!readOnlyMode || command == null || tracksChanges(executor)) {
            return readOnlyMode;
        }
        String name = ((RedisCommand<?>) command).getName();
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, RedissonKeys.Read.command(name, params));
    }

    /** The {@code readOnlyMode} for {@code evalAsync(source, readOnlyMode, codec, command, script, keys, ...)}. */
    public static boolean evalReadOnlyMode(boolean readOnlyMode, Object executor, Object keys) throws Exception {
        if (!readOnlyMode || !(keys instanceof List) || ((List<?>) keys).isEmpty() || tracksChanges(executor)) {
            return readOnlyMode;
        }
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, RedissonKeys.Read.keys(((List<?>) keys).toArray()));
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
