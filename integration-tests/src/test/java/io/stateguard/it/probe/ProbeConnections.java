package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.util.ArrayList;
import java.util.List;

/**
 * What the probes share to reach Redis: node lists from {@code host:port} arguments, and a pair of
 * Master/Replica connections over the same nodes, one reading from the primary, one from replicas.
 * Only API that every Lettuce of the version matrix (5.2+) has.
 */
final class ProbeConnections {

    private ProbeConnections() {
    }

    /** One {@link RedisURI} per {@code host:port}. */
    static List<RedisURI> nodes(String... hostPorts) {
        List<RedisURI> nodes = new ArrayList<>();
        for (String node : hostPorts) {
            String[] hostPort = node.split(":");
            nodes.add(RedisURI.create(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        return nodes;
    }

    /** Two connections over {@code nodes}: {@code primary} reads from the primary, {@code replica} from replicas only. */
    static Pair primaryAndReplica(RedisClient client, List<RedisURI> nodes) {
        return primaryAndReplica(client, nodes, StringCodec.UTF8);
    }

    /** {@link #primaryAndReplica(RedisClient, List)} whose replica-reading connection decodes with {@code codec}. */
    static Pair primaryAndReplica(RedisClient client, List<RedisURI> nodes, RedisCodec<String, String> replicaCodec) {
        StatefulRedisMasterReplicaConnection<String, String> primary = MasterReplica.connect(client, StringCodec.UTF8,
                nodes);
        try {
            StatefulRedisMasterReplicaConnection<String, String> replica = MasterReplica.connect(client,
                    replicaCodec, nodes);
            primary.setReadFrom(ReadFrom.valueOf("master")); // MASTER in 5.x, UPSTREAM later
            replica.setReadFrom(ReadFrom.REPLICA);
            return new Pair(primary, replica);
        } catch (RuntimeException e) {
            primary.close();
            throw e;
        }
    }

    /** A primary-reading and a replica-reading connection, closed together. */
    static final class Pair implements AutoCloseable {

        final StatefulRedisMasterReplicaConnection<String, String> primary;
        final StatefulRedisMasterReplicaConnection<String, String> replica;

        private Pair(StatefulRedisMasterReplicaConnection<String, String> primary,
                StatefulRedisMasterReplicaConnection<String, String> replica) {
            this.primary = primary;
            this.replica = replica;
        }

        @Override
        public void close() {
            try {
                replica.close();
            } finally {
                primary.close();
            }
        }
    }
}
