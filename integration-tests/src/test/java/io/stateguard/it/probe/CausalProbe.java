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

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
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
 *   <li>{@code read}: only reads every key {@code rounds} times (another process writes), {@code pauseMillis}
 *       between rounds, and {@code probe.warmup.millis} (system property, default 0) instead after the first;</li>
 *   <li>{@code failover-loop}: rounds of one write and reads of every key until the file {@code <pauseMillis>}
 *       names exists (the test creates it once a failover is over), see {@link #failoverLoop}.</li>
 * </ul>
 * A {@code cluster:} prefix on the nodes connects to a Cluster instead of Master/Replica, and a
 * {@code redis-sentinel://} URI to the Master/Replica group Sentinel monitors. The system properties
 * {@code probe.user} and {@code probe.password} authenticate every connection (an ACL user); with
 * {@code probe.reconnect=true} a Master/Replica probe first reads every key once on a connection it then closes
 * (300 ms later), and runs its mode on a second one: an application that connects again, in a warm JVM.
 */
public final class CausalProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String nodes = args[1];
        String prefix = args[2];
        int keys = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        List<String> names = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            names.add(prefix + k);
        }
        if (mode.equals("failover-loop")) {
            failoverLoop(nodes, names, Paths.get(args[5]));
            return;
        }
        long pause = args.length > 5 ? Long.parseLong(args[5]) : 0;
        long[] counts;
        if (nodes.startsWith("cluster:")) {
            RedisClusterClient client = RedisClusterClient.create(ProbeConnections.nodes(nodes.substring(8).split(",")));
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                connection.setReadFrom(ReadFrom.REPLICA);
                System.err.println("probe: cluster partitions " + connection.getPartitions());
                counts = run(mode, connection.sync(), names, rounds, pause);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        } else {
            RedisClient client = RedisClient.create();
            if (Boolean.getBoolean("probe.reconnect")) {
                // A connection used for a while, then closed: the application connects again, warm.
                try (StatefulRedisMasterReplicaConnection<String, String> first = connect(client, nodes)) {
                    first.setReadFrom(ReadFrom.REPLICA);
                    for (String key : names) {
                        first.sync().get(key);
                    }
                    Thread.sleep(300);
                }
            }
            try (StatefulRedisMasterReplicaConnection<String, String> connection = connect(client, nodes)) {
                connection.setReadFrom(ReadFrom.REPLICA);
                counts = run(mode, connection.sync(), names, rounds, pause);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
        System.out.println("stale=" + counts[0]);
        System.out.println("reads=" + counts[1]);
        System.out.println("nils=" + counts[2]);
    }

    /** The nodes ({@code host:port,...}) or the Sentinel URI, with {@code probe.user}/{@code probe.password}. */
    private static List<RedisURI> uris(String nodes) {
        if (nodes.startsWith("redis-sentinel://")) {
            int fragment = nodes.indexOf('#');
            return List.of(RedisURI.create(nodes.substring(0, fragment) + "?timeout=2s" + nodes.substring(fragment)));
        }
        String user = System.getProperty("probe.user");
        String password = System.getProperty("probe.password");
        List<RedisURI> uris = new ArrayList<>();
        for (RedisURI node : ProbeConnections.nodes(nodes.split(","))) {
            RedisURI.Builder uri = RedisURI.builder().withHost(node.getHost()).withPort(node.getPort())
                    .withTimeout(Duration.ofSeconds(2));
            if (user != null && password != null) {
                uri.withAuthentication(user, password.toCharArray());
            }
            uris.add(uri.build());
        }
        return uris;
    }

    private static StatefulRedisMasterReplicaConnection<String, String> connect(RedisClient client, String nodes) {
        List<RedisURI> uris = uris(nodes);
        return uris.size() == 1 && nodes.startsWith("redis-sentinel://")
                ? MasterReplica.connect(client, StringCodec.UTF8, uris.get(0))
                : MasterReplica.connect(client, StringCodec.UTF8, uris);
    }

    /**
     * Rounds across a failover until the stop file exists: each round writes one key ({@code SET k <round>}, the
     * keys in turn) and then reads every key (from replicas, as the application routes), 20 ms apart. So a key
     * was written by this process between a moment and {@code 20 ms * keys} ago: the newest ones must be read
     * from the primary, the older ones may be read from a replica that has applied them. A read is checked
     * against this process's last acknowledged write of the key; an older value is told apart at once by asking
     * the primary (a second connection reading from the primary):
     * <ul>
     *   <li>the primary has that write (or a newer one): the read was <em>stale</em> (a node that had not applied
     *       an acknowledged write the primary holds answered it);</li>
     *   <li>the primary does not have it either: the write was <em>lost</em> (acknowledged by the old primary, not
     *       replicated before the promotion); no client can read it, which is no stale read. The primary's value
     *       becomes what later reads are checked against.</li>
     * </ul>
     * A write that fails (the old primary refusing writes, a timeout during the switch) is not expected; a read
     * that fails is counted as an error. Prints {@code stale}, {@code lost}, {@code reads}, {@code errors} and
     * {@code rounds}; {@code looping=true} once every key has been written.
     */
    private static void failoverLoop(String nodes, List<String> keys, Path stopFile) throws Exception {
        RedisClient client = RedisClient.create();
        long stale = 0;
        long lost = 0;
        long reads = 0;
        long errors = 0;
        long round = 0;
        long[] expected = new long[keys.size()];
        java.util.Arrays.fill(expected, -1);
        List<String> examples = new ArrayList<>();
        try (StatefulRedisMasterReplicaConnection<String, String> app = connect(client, nodes);
                StatefulRedisMasterReplicaConnection<String, String> primary = connect(client, nodes)) {
            app.setReadFrom(ReadFrom.REPLICA);
            primary.setReadFrom(ReadFrom.valueOf("master"));
            RedisStringCommands<String, String> redis = app.sync();
            while (!Files.exists(stopFile)) {
                round++;
                int written = (int) (round % keys.size());
                try {
                    redis.set(keys.get(written), Long.toString(round));
                    expected[written] = round;
                } catch (RuntimeException e) {
                    errors++;
                }
                for (int k = 0; k < keys.size(); k++) {
                    if (expected[k] < 0) {
                        continue;
                    }
                    String read;
                    try {
                        read = redis.get(keys.get(k));
                    } catch (RuntimeException e) {
                        errors++;
                        continue;
                    }
                    reads++;
                    long value = read == null ? -1 : Long.parseLong(read);
                    if (value >= expected[k]) {
                        expected[k] = value;
                        continue;
                    }
                    String onPrimary;
                    try {
                        onPrimary = primary.sync().get(keys.get(k));
                    } catch (RuntimeException e) {
                        errors++;
                        onPrimary = null;
                    }
                    long primaryValue = onPrimary == null ? -1 : Long.parseLong(onPrimary);
                    if (examples.size() < 10) {
                        examples.add(keys.get(k) + " expected " + expected[k] + " read " + read + " primary "
                                + onPrimary + " (round " + round + ")");
                    }
                    if (primaryValue >= expected[k]) {
                        stale++;
                    } else {
                        lost++;
                        expected[k] = primaryValue;
                    }
                }
                if (round == keys.size()) {
                    System.out.println("looping=true");
                }
                Thread.sleep(20);
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("stale=" + stale);
        System.out.println("lost=" + lost);
        System.out.println("reads=" + reads);
        System.out.println("errors=" + errors);
        System.out.println("rounds=" + round);
        System.out.println("examples=" + examples);
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
            long warmUp = Long.getLong("probe.warmup.millis", 0);
            for (int round = 1; round <= rounds; round++) {
                for (String key : keys) {
                    if (redis.get(key) == null) {
                        nils++;
                    }
                    reads++;
                }
                if (round == 1 && warmUp > 0) {
                    Thread.sleep(warmUp);
                } else if (pause > 0) {
                    Thread.sleep(pause);
                }
            }
        } else {
            throw new IllegalArgumentException("unknown mode " + mode);
        }
        return new long[] {stale, reads, nils};
    }
}
