package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Lettuce application reading one state key through Sentinel, over and over, across a failover the
 * test causes. It writes {@code <dir>/ready} after its first successful read, {@code <dir>/changed}
 * once it has read a different version, stops when {@code <dir>/stop} appears, and prints the
 * versions it saw in order (consecutive repeats collapsed) and how many reads failed.
 *
 * <p>Arguments: {@code <sentinel host:port,...> <masterName> <key> <dir>}.
 */
public final class FailoverProbe {

    public static void main(String[] args) throws Exception {
        RedisURI.Builder uri = RedisURI.builder().withSentinelMasterId(args[1]).withTimeout(Duration.ofSeconds(2));
        for (String sentinel : args[0].split(",")) {
            String[] hostPort = sentinel.split(":");
            uri.withSentinel(hostPort[0], Integer.parseInt(hostPort[1]));
        }
        String key = args[2];
        Path dir = Paths.get(args[3]);
        RedisClient client = RedisClient.create();
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, uri.build())) {
            connection.setReadFrom(ReadFrom.REPLICA_PREFERRED);
            FailoverReads.run(dir, () -> StateVersions.version(connection.sync().get(key)));
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
