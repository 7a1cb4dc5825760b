package io.stateguard.it.probe;

import io.lettuce.core.KeyValue;
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
 * A Lettuce application for the version guard, run in a forked JVM while the test holds the
 * replica's replication stream: it writes one state key itself (version 7: read-your-writes), reads
 * another on the primary (version 8: monotonic reads), writes a third the replica never receives
 * (version 5), then reads all three with {@code ReadFrom.REPLICA} through the sync, async and
 * reactive APIs and prints the version it got for each ({@code nil} for no value,
 * {@code EXC:<type>} for an exception).
 *
 * <p>It also reads a hash whose field {@code v} is its version (seen at version 8 on the primary,
 * stale on the replica) through {@code HGETALL}, {@code HGET} and {@code HMGET}, and a key of the
 * wrong type with {@code GET}, whose error must reach the application as it is.
 *
 * <p>Arguments: {@code <primary host:port>,<replica host:port> <writtenKey> <readKey> <missingKey>
 * <hashKey> <wrongTypeKey>}.
 */
public final class GuardProbe {


    public static void main(String[] args) throws Exception {
        List<RedisURI> nodes = ProbeConnections.nodes(args[0].split(","));
        String written = args[1];
        String read = args[2];
        String missing = args[3];
        String hash = args[4];
        String wrongType = args[5];
        Map<String, String> results = new TreeMap<>();
        RedisClient client = RedisClient.create();
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes)) {
            StatefulRedisMasterReplicaConnection<String, String> primary = pair.primary;
            StatefulRedisMasterReplicaConnection<String, String> replica = pair.replica;

            primary.sync().set(written, "{\"state\":\"open\",\"version\":7}");
            results.put("setup.read", version(primary.sync().get(read)));
            primary.sync().set(missing, "{\"state\":\"open\",\"version\":5}");

            for (String key : new String[] {written, read, missing}) {
                LogWindow.next(); // at most 3 events per window: every one is logged
                String name = key.equals(written) ? "written" : key.equals(read) ? "read" : "missing";
                results.put("sync." + name, attempt(() -> version(replica.sync().get(key))));
                results.put("async." + name,
                        attempt(() -> version(replica.async().get(key).get(10, TimeUnit.SECONDS))));
                results.put("reactive." + name, attempt(() -> version(replica.reactive().get(key).block())));
            }
            results.put("setup.hash", primary.sync().hget(hash, "v"));
            LogWindow.next();
            results.put("sync.hgetall", attempt(() -> replica.sync().hgetall(hash).get("v")));
            results.put("sync.hget", attempt(() -> replica.sync().hget(hash, "v")));
            results.put("async.hmget", attempt(() -> replica.async().hmget(hash, "state", "v").get(10, TimeUnit.SECONDS)
                    .get(1).getValueOrElse("nil")));
            results.put("sync.multi", attempt(() -> {
                replica.sync().multi();
                replica.sync().get(written);
                return version((String) replica.sync().exec().get(0));
            }));
            results.put("sync.wrongtype", attempt(() -> version(replica.sync().get(wrongType))));
            LogWindow.next();
            results.put("sync.mget", attempt(() -> {
                StringBuilder versions = new StringBuilder();
                for (KeyValue<String, String> value : replica.sync().mget(written, read)) {
                    versions.append(versions.length() == 0 ? "" : "|").append(version(value.getValueOrElse(null)));
                }
                return versions.toString();
            }));
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }


    private static String attempt(Callable<String> read) {
        try {
            return read.call();
        } catch (ExecutionException e) {
            return "EXC:" + e.getCause().getClass().getName();
        } catch (Exception e) {
            return "EXC:" + e.getClass().getName();
        }
    }
}
