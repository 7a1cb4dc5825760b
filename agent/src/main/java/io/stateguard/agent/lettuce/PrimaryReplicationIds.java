package io.stateguard.agent.lettuce;

import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.guard.ReplicationIds;
import io.stateguard.agent.replication.ReplicationInfo;

import java.util.function.BiConsumer;

/**
 * Reads the replication ID of a Master/Replica topology's primary ({@code INFO replication},
 * {@code master_replid}) for the guard's proof of lost writes ({@link ReplicationIds}): written through
 * the application's channel writer, forced to the primary (so it follows Sentinel failovers as the
 * application's writes do), and never while the application has a transaction open or flushes by hand
 * on it (the read is skipped then). Cluster topologies are not read: their replication IDs stay unknown.
 */
final class PrimaryReplicationIds implements ReplicationIds.Source {

    static final PrimaryReplicationIds INSTANCE = new PrimaryReplicationIds();

    private PrimaryReplicationIds() {
    }

    /** Registers the source with the guard (idempotent). */
    static void register() {
        ReplicationIds.addSource(INSTANCE);
    }

    @Override
    public boolean read(Object topology, final ReplicationIds.Callback done) {
        if (!(topology instanceof RedisChannelWriter) || !LettuceFields.isMasterReplica(topology)) {
            return false;
        }
        if (LettuceFields.isBusy(topology)) {
            done.done(null, null);
            return true;
        }
        final StatusOutput<String, String> output = new StatusOutput<>(StringCodec.UTF8);
        final AsyncCommand<String, String, String> info = new AsyncCommand<>(new Command<>(CommandType.INFO, output,
                new CommandArgs<>(StringCodec.UTF8).add("replication")));
        info.whenComplete(new BiConsumer<String, Throwable>() {
            @Override
            public void accept(String text, Throwable error) {
                if (error instanceof RedisCommandExecutionException) {
                    // Redis refused it with an error reply (an ACL's NOPERM, for example): it will refuse again.
                    done.done(null, error.getMessage());
                } else if (error != null || output.hasError()) {
                    // The connection failed (Lettuce also records "Connection reset" as the output's error): the
                    // next read, perhaps of a new primary, may succeed.
                    done.done(null, null);
                } else {
                    done.done(ReplicationInfo.parse(text).replicationId(), null);
                }
            }
        });
        if (LettuceDispatch.writeOwn(topology, info) != null) {
            done.done(null, null); // the writer refused (a closed connection): not an error of the agent
        }
        return true;
    }
}
