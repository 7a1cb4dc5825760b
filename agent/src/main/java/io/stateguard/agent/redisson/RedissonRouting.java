package io.stateguard.agent.redisson;

import io.stateguard.agent.routing.PrimaryRouting;

import org.redisson.client.protocol.RedisCommand;

import java.util.List;

/**
 * Per-key primary routing for Redisson. Redisson decides master or replica by one flag,
 * {@code readOnlyMode}, that its {@code CommandAsyncService.async} (and {@code CommandBatchService.async},
 * and {@code evalAsync} for scripts) hands to the executor: {@code true} reads from the pool that the
 * application's {@code ReadMode} chose (replicas for {@code SLAVE}, all nodes for {@code MASTER_SLAVE}),
 * {@code false} uses the master of the key's shard. The advice replaces the flag with {@link #readOnlyMode}:
 * {@code false} for a read of a key of a {@code primary} rule. Writes ({@code false} already) cost nothing.
 */
public final class RedissonRouting {

    private RedissonRouting() {
    }

    /**
     * The {@code readOnlyMode} for {@code async(readOnlyMode, source, codec, command, params, ...)}.
     *
     * @param command Redisson's {@code RedisCommand}.
     * @param params its parameters (keys first).
     */
    public static boolean readOnlyMode(boolean readOnlyMode, Object command, Object[] params) {
        if (!readOnlyMode || command == null) {
            return readOnlyMode;
        }
        String name = ((RedisCommand<?>) command).getName();
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, RedissonKeys.Read.command(name, params));
    }

    /** The {@code readOnlyMode} for {@code evalAsync(source, readOnlyMode, codec, command, script, keys, ...)}. */
    public static boolean evalReadOnlyMode(boolean readOnlyMode, Object keys) {
        if (!readOnlyMode || !(keys instanceof List) || ((List<?>) keys).isEmpty()) {
            return readOnlyMode;
        }
        return !PrimaryRouting.routesToPrimary(RedissonKeys.READER, RedissonKeys.Read.keys(((List<?>) keys).toArray()));
    }
}
