package io.stateguard.agent.redisson;

import io.stateguard.agent.guard.ReplicationIds;
import io.stateguard.agent.replication.ClientTopology;
import io.stateguard.agent.replication.ReplicationInfo;

import org.redisson.api.RFuture;
import org.redisson.client.codec.StringCodec;
import org.redisson.client.protocol.RedisCommands;
import org.redisson.command.CommandAsyncService;
import org.redisson.connection.ConnectionManager;
import org.redisson.connection.MasterSlaveEntry;

import java.util.Collection;
import java.util.Map;

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
        RedissonTopologies.answer(info, new ClientTopology.InfoAnswer() {
            @Override
            public void answered(String text) {
                done.done(ReplicationInfo.parse(text).replicationId(), null);
            }

            @Override
            public void refused(String error) {
                done.done(null, error);
            }

            @Override
            public void failed(Throwable cause) {
                done.done(null, null); // the next read, perhaps of a new master, may succeed
            }
        });
        return true;
    }
}
