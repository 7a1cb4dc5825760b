package io.stateguard.agent.instrumentation.lettuce;

/**
 * The names of the Lettuce classes the agent instruments, in one place. Plain constants.
 */
public final class LettuceClasses {

    static final String MASTER_REPLICA_WRITER = "io.lettuce.core.masterreplica.MasterReplicaChannelWriter";
    static final String MASTER_REPLICA_PROVIDER = "io.lettuce.core.masterreplica.MasterReplicaConnectionProvider";
    static final String MASTER_SLAVE_WRITER = "io.lettuce.core.masterslave.MasterSlaveChannelWriter";
    static final String MASTER_SLAVE_PROVIDER = "io.lettuce.core.masterslave.MasterSlaveConnectionProvider";
    static final String CLUSTER_WRITER = "io.lettuce.core.cluster.ClusterDistributionChannelWriter";
    static final String CLUSTER_PROVIDER = "io.lettuce.core.cluster.PooledClusterConnectionProvider";
    static final String COMMAND_HANDLER = "io.lettuce.core.protocol.CommandHandler";
    /** The command type the writers and {@code CommandHandler} take; not instrumented itself. */
    static final String REDIS_COMMAND = "io.lettuce.core.protocol.RedisCommand";

    private LettuceClasses() {
    }

    /**
     * Internal names ({@code io/lettuce/core/...}) of every class some Lettuce module may instrument;
     * a new array on each call.
     */
    public static String[] instrumentedInternalNames() {
        String[] names = {MASTER_REPLICA_WRITER, MASTER_REPLICA_PROVIDER, MASTER_SLAVE_WRITER, MASTER_SLAVE_PROVIDER,
                CLUSTER_WRITER, CLUSTER_PROVIDER, COMMAND_HANDLER};
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].replace('.', '/');
        }
        return names;
    }
}
