package io.stateguard.agent.redisson;

import io.stateguard.agent.guard.ReplicationIds;

import org.redisson.api.RFuture;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.command.CommandAsyncService;
import org.redisson.connection.ConnectionManager;
import org.redisson.connection.MasterSlaveEntry;

import java.util.Collection;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads the replication ID of the master behind a Redisson client ({@code INFO replication}, {@code master_replid})
 * for the guard's proof of lost writes ({@link ReplicationIds}): through the application's own command executor, on
 * the master its one shard has now (so it follows a Sentinel failover as the application's writes do). A cluster
 * (more than one shard) is not read: its replication IDs stay unknown, as for Lettuce.
 */
final class RedissonReplicationIds implements ReplicationIds.Source {

    static final RedissonReplicationIds INSTANCE = new RedissonReplicationIds();

    private RedissonReplicationIds() {
    }

    /** Registers the source with the guard (idempotent). */
    static void register() {
        ReplicationIds.addSource(INSTANCE);
    }

    @Override
    public boolean read(Object topology, final ReplicationIds.Callback done) {
        if (!(topology instanceof ConnectionManager)) {
            return false;
        }
        Collection<MasterSlaveEntry> entries = ((ConnectionManager) topology).getEntrySet();
        CommandAsyncService executor = RedissonTopologies.executor(topology);
        if (entries.size() != 1 || executor == null) {
            return false;
        }
        RFuture<Map<String, String>> info = executor.writeAsync(entries.iterator().next(), StringCodec.INSTANCE,
                RedisCommands.INFO_REPLICATION);
        info.whenComplete(new BiConsumer<Map<String, String>, Throwable>() {
            @Override
            public void accept(Map<String, String> fields, Throwable error) {
                if (error instanceof RedisConnectionException || error instanceof RedisTimeoutException) {
                    done.done(null, null); // the next read, perhaps of a new master, may succeed
                } else if (error instanceof RedisException) {
                    done.done(null, error.getMessage()); // an error reply (an ACL's NOPERM): it will refuse again
                } else if (error != null || fields == null) {
                    done.done(null, null);
                } else {
                    done.done(fields.get("master_replid"), null);
                }
            }
        });
        return true;
    }
}
