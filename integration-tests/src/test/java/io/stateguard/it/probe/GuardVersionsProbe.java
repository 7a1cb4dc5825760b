package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * The version guard's core case with only the Lettuce API that 5.3 to 7.x share ({@link GuardProbe}
 * uses {@code ReadFrom.UPSTREAM}, which 5.x lacks): run while the test holds the replica's
 * replication stream, it writes one state key itself (version 7), reads another on the primary
 * (version 8), then reads both with {@code ReadFrom.REPLICA} through the sync, async and reactive
 * APIs and prints the version it got ({@code EXC:<type>[:<cause type>...]} for an exception).
 *
 * <p>Arguments: {@code <primary host:port>,<replica host:port> <writtenKey> <readKey> [<database>]} (the
 * connections' {@code RedisURI} database, 0 when left out).
 */
public final class GuardVersionsProbe {


    public static void main(String[] args) throws Exception {
        List<RedisURI> nodes = ProbeConnections.nodes(args[0].split(","));
        if (args.length > 3) {
            for (RedisURI node : nodes) {
                node.setDatabase(Integer.parseInt(args[3]));
            }
        }
        String written = args[1];
        String read = args[2];
        Map<String, String> results = new TreeMap<>();
        RedisClient client = RedisClient.create();
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes)) {
            StatefulRedisMasterReplicaConnection<String, String> primary = pair.primary;
            StatefulRedisMasterReplicaConnection<String, String> replica = pair.replica;
            primary.sync().set(written, "{\"state\":\"open\",\"version\":7}");
            results.put("setup.read", version(primary.sync().get(read)));
            for (String key : new String[] {written, read}) {
                String name = key.equals(written) ? "written" : "read";
                results.put("sync." + name, attempt(() -> version(replica.sync().get(key))));
                results.put("async." + name,
                        attempt(() -> version(replica.async().get(key).get(10, TimeUnit.SECONDS))));
                results.put("reactive." + name, attempt(() -> version(replica.reactive().get(key).block())));
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }


    /** The value read, or {@code EXC:<exception>[:<cause>...]} (an async call's {@code ExecutionException} left out). */
    private static String attempt(Callable<String> read) {
        try {
            return read.call();
        } catch (Exception e) {
            StringBuilder chain = new StringBuilder("EXC");
            for (Throwable t = e instanceof ExecutionException ? e.getCause() : e; t != null;
                    t = t.getCause() == t ? null : t.getCause()) {
                chain.append(':').append(t.getClass().getName());
            }
            return chain.toString();
        }
    }
}
