package io.stateguard.it.probe;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.api.sync.RedisStringCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A status poller that writes state and reads it back, through one connection reading from replicas
 * ({@code ReadFrom.REPLICA}, as the gateway's users configure it), and prints what it saw:
 * {@code stale=<reads that returned a value older than this process last wrote>}, {@code reads=<n>}.
 *
 * <p>Arguments: {@code <mode> <nodes host:port,...> <keyPrefix> <keys> <rounds> [<pauseMillis>]}; modes:
 * <ul>
 *   <li>{@code write-read}: each round writes every key ({@code SET k <round>}) and reads it back at once;</li>
 *   <li>{@code written-long-ago}: writes every key once, waits {@code pauseMillis}, then reads every key
 *       {@code rounds} times (values must be the ones written);</li>
 *   <li>{@code read}: only reads every key {@code rounds} times (another process writes);</li>
 * </ul>
 * A {@code cluster:} prefix on the nodes connects to a Cluster instead of Master/Replica.
 */
public final class CausalProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String nodes = args[1];
        String prefix = args[2];
        int keys = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        long pause = args.length > 5 ? Long.parseLong(args[5]) : 0;
        List<String> names = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            names.add(prefix + k);
        }
        long stale = 0;
        long reads = 0;
        long nils = 0;
        if (nodes.startsWith("cluster:")) {
            RedisClusterClient client = RedisClusterClient.create(ProbeConnections.nodes(nodes.substring(8).split(",")));
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                connection.setReadFrom(ReadFrom.REPLICA);
                long[] counts = run(mode, connection.sync(), names, rounds, pause);
                stale = counts[0];
                reads = counts[1];
                nils = counts[2];
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        } else {
            List<RedisURI> uris = ProbeConnections.nodes(nodes.split(","));
            RedisClient client = RedisClient.create();
            try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                    StringCodec.UTF8, uris)) {
                connection.setReadFrom(ReadFrom.REPLICA);
                long[] counts = run(mode, connection.sync(), names, rounds, pause);
                stale = counts[0];
                reads = counts[1];
                nils = counts[2];
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
        System.out.println("stale=" + stale);
        System.out.println("reads=" + reads);
        System.out.println("nils=" + nils);
    }

    private static long[] run(String mode, RedisStringCommands<String, String> redis, List<String> keys, int rounds,
            long pause) throws InterruptedException {
        long stale = 0;
        long reads = 0;
        long nils = 0;
        String run = Long.toString(System.nanoTime());
        if (mode.equals("write-read")) {
            for (int round = 1; round <= rounds; round++) {
                for (String key : keys) {
                    String value = run + ":" + round;
                    redis.set(key, value);
                    String read = redis.get(key);
                    reads++;
                    if (!value.equals(read)) {
                        stale++;
                    }
                }
            }
        } else if (mode.equals("written-long-ago")) {
            for (String key : keys) {
                redis.set(key, run);
            }
            Thread.sleep(pause);
            for (int round = 1; round <= rounds; round++) {
                for (String key : keys) {
                    String read = redis.get(key);
                    reads++;
                    if (!run.equals(read)) {
                        stale++;
                    }
                }
            }
        } else if (mode.equals("read")) {
            for (int round = 1; round <= rounds; round++) {
                for (String key : keys) {
                    if (redis.get(key) == null) {
                        nils++;
                    }
                    reads++;
                }
                if (pause > 0) {
                    Thread.sleep(pause);
                }
            }
        } else {
            throw new IllegalArgumentException("unknown mode " + mode);
        }
        return new long[] {stale, reads, nils};
    }
}
