package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway's status poller in miniature, for attaching to a running JVM: it opens its Master/Replica
 * connections once ({@code ReadFrom.REPLICA}, a {@code StringCodec} and a {@code ByteArrayCodec}
 * one, as Spring Data Redis uses), then reads a state key and an unrelated key over and over,
 * through the sync, async and reactive APIs, and prints one line per round:
 * {@code round.<n>=<sync state>|<async state>|<reactive state>|<byte[] state>|<other key>}.
 * It never reconnects, so a change of values proves that connections already open changed routing.
 *
 * <p>Arguments: {@code <nodes host:port,...> <stateKey> <otherKey> <intervalMillis> <maxSeconds>}.
 */
public final class StateLoopProbe {

    public static void main(String[] args) throws Exception {
        List<RedisURI> nodes = ProbeConnections.nodes(args[0].split(","));
        String state = args[1];
        String other = args[2];
        long interval = Long.parseLong(args[3]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[4]));
        byte[] stateBytes = state.getBytes(StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create();
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, nodes);
                StatefulRedisMasterReplicaConnection<byte[], byte[]> bytes = MasterReplica.connect(client,
                        ByteArrayCodec.INSTANCE, nodes)) {
            connection.setReadFrom(ReadFrom.REPLICA);
            bytes.setReadFrom(ReadFrom.REPLICA);
            System.out.println("connected");
            for (int round = 1; System.nanoTime() < deadline; round++) {
                String line = connection.sync().get(state)
                        + "|" + connection.async().get(state).get(10, TimeUnit.SECONDS)
                        + "|" + connection.reactive().get(state).block()
                        + "|" + new String(bytes.sync().get(stateBytes), StandardCharsets.UTF_8)
                        + "|" + connection.sync().get(other);
                System.out.println("round." + round + "=" + line);
                Thread.sleep(interval);
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
