package io.stateguard.it.probe.deployed;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce side of {@link DeployedApp}: a client with two Master/Replica connections over
 * {@code primary,replica} nodes, one reading from the primary, one with {@code ReadFrom.REPLICA}.
 * Closing it closes both, shuts the client (and its Netty threads) down, and removes Netty's
 * thread-locals from the calling thread.
 */
final class DeployedClient implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisMasterReplicaConnection<String, String> primary;
    private final StatefulRedisMasterReplicaConnection<String, String> replica;

    private DeployedClient(RedisClient client, StatefulRedisMasterReplicaConnection<String, String> primary,
            StatefulRedisMasterReplicaConnection<String, String> replica) {
        this.client = client;
        this.primary = primary;
        this.replica = replica;
    }

    static DeployedClient connect(String nodes) {
        List<RedisURI> uris = new ArrayList<>();
        for (String node : nodes.split(",")) {
            String[] hostPort = node.split(":");
            uris.add(RedisURI.create(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        RedisClient client = RedisClient.create();
        StatefulRedisMasterReplicaConnection<String, String> primary = MasterReplica.connect(client, StringCodec.UTF8,
                uris);
        StatefulRedisMasterReplicaConnection<String, String> replica = MasterReplica.connect(client, StringCodec.UTF8,
                uris);
        primary.setReadFrom(ReadFrom.UPSTREAM);
        replica.setReadFrom(ReadFrom.REPLICA);
        return new DeployedClient(client, primary, replica);
    }

    String readFromPrimary(String key) {
        return primary.sync().get(key);
    }

    String readFromReplica(String key) {
        return replica.sync().get(key);
    }

    static ClassLoader redisExceptionLoader() {
        return RedisException.class.getClassLoader();
    }

    static boolean isRedisException(Throwable e) {
        return e instanceof RedisException;
    }

    @Override
    public void close() {
        try {
            replica.close();
            primary.close();
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            // As a well-behaved deployment ends: Netty keeps a map of its own in a thread-local of every
            // thread that used it (here the caller's), which would otherwise keep this class loader.
            FastThreadLocal.removeAll();
        }
    }
}
