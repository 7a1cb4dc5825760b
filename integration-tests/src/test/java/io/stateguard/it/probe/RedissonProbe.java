package io.stateguard.it.probe;

import org.redisson.Redisson;
import org.redisson.api.BatchResult;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A small Redisson application, run in a forked JVM with or without the agent, with the {@code StringCodec}
 * (values readable on the nodes) and a replica read mode.
 *
 * <p>Arguments: {@code <topology> <nodes> <readMode> <what> <keys...>}. Topology is {@code masterslave} (nodes:
 * the master, then the slaves), {@code sentinel:<masterName>} (nodes: the sentinels) or {@code cluster} (nodes:
 * any cluster nodes); readMode a Redisson {@code ReadMode}; what is
 * <ul>
 *   <li>{@code reads <stateKey> <otherKey> <hashKey> <hashField>}: reads each key once through every API
 *       (sync, async, Reactive, RxJava, map, multi-get, batch, script) and prints {@code probe.<read>=<value>};
 *       it never writes, so a replica stays as stale as the test made it;</li>
 *   <li>{@code rounds <stateKey> <otherKey> <count> <pauseMillis>}: reads both keys in rounds, for an attach
 *       while it runs;</li>
 *   <li>{@code loop <key> <rounds>}: writes a new value and reads it back at once, {@code rounds} times, and
 *       prints {@code probe.stale=<reads that returned another value>}.</li>
 * </ul>
 */
public final class RedissonProbe {

    public static void main(String[] args) throws Exception {
        RedissonClient redisson = connect(args[0], args[1], args[2]);
        try {
            Map<String, String> results = new TreeMap<>();
            if (args[3].equals("reads")) {
                reads(redisson, args[4], args[5], args[6], args[7], results);
            } else if (args[3].equals("rounds")) {
                rounds(redisson, args[4], args[5], Integer.parseInt(args[6]), Long.parseLong(args[7]));
            } else if (args[3].equals("loop")) {
                results.put("stale", String.valueOf(loop(redisson, args[4], Integer.parseInt(args[5]))));
            } else {
                throw new IllegalArgumentException("unknown probe " + args[3]);
            }
            results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
        } finally {
            redisson.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * A Redisson client with the {@code StringCodec}.
     *
     * @param topology {@code masterslave}, {@code sentinel:<masterName>} or {@code cluster}.
     * @param nodes comma-separated {@code host:port}s: the master then the slaves, the sentinels, or cluster nodes.
     * @param readMode a Redisson {@code ReadMode}.
     */
    public static RedissonClient connect(String topology, String nodes, String readMode) {
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        String[] addresses = nodes.split(",");
        ReadMode mode = ReadMode.valueOf(readMode);
        if (topology.equals("masterslave")) {
            config.useMasterSlaveServers().setMasterAddress(uri(addresses[0])).setReadMode(mode);
            for (int i = 1; i < addresses.length; i++) {
                config.useMasterSlaveServers().addSlaveAddress(uri(addresses[i]));
            }
        } else if (topology.startsWith("sentinel:")) {
            config.useSentinelServers().setMasterName(topology.substring("sentinel:".length()))
                    .setCheckSentinelsList(false).setReadMode(mode);
            for (String node : addresses) {
                config.useSentinelServers().addSentinelAddress(uri(node));
            }
        } else if (topology.equals("cluster")) {
            config.useClusterServers().setReadMode(mode);
            for (String node : addresses) {
                config.useClusterServers().addNodeAddress(uri(node));
            }
        } else {
            throw new IllegalArgumentException("unknown topology " + topology);
        }
        return Redisson.create(config);
    }

    private static String uri(String hostAndPort) {
        return "redis://" + hostAndPort;
    }

    private static void reads(RedissonClient redisson, String state, String other, String hash, String field,
            Map<String, String> results) throws Exception {
        results.put("sync.state", redisson.<String>getBucket(state).get());
        results.put("sync.other", redisson.<String>getBucket(other).get());
        results.put("async.state", await(redisson.<String>getBucket(state).getAsync()));
        results.put("async.other", await(redisson.<String>getBucket(other).getAsync()));
        results.put("reactive.state", redisson.reactive().<String>getBucket(state).get().block());
        results.put("reactive.other", redisson.reactive().<String>getBucket(other).get().block());
        results.put("rx.state", redisson.rxJava().<String>getBucket(state).get().blockingGet());
        results.put("rx.other", redisson.rxJava().<String>getBucket(other).get().blockingGet());
        results.put("map.get", redisson.<String, String>getMap(hash).get(field));
        results.put("map.getAll", redisson.<String, String>getMap(hash).getAll(Collections.singleton(field)).get(field));
        results.put("reactive.map.get", redisson.reactive().<String, String>getMap(hash).get(field).block());
        results.put("rx.map.get", redisson.rxJava().<String, String>getMap(hash).get(field).blockingGet());
        Map<String, Object> both = redisson.getBuckets().get(other, state);
        results.put("buckets.get", both.get(other) + "|" + both.get(state));
        results.put("buckets.get.other", String.valueOf(redisson.getBuckets().get(other).get(other)));
        RBatch mixed = redisson.createBatch();
        RFuture<Object> mixedOther = mixed.getBucket(other).getAsync();
        RFuture<Object> mixedState = mixed.getBucket(state).getAsync();
        BatchResult<?> ignored = mixed.execute();
        results.put("batch.mixed.other", String.valueOf(await(mixedOther)));
        results.put("batch.mixed.state", String.valueOf(await(mixedState)));
        RBatch plain = redisson.createBatch();
        RFuture<Object> plainOther = plain.getBucket(other).getAsync();
        plain.execute();
        results.put("batch.plain.other", String.valueOf(await(plainOther)));
        String get = "return redis.call('GET', KEYS[1])";
        results.put("script.state", redisson.getScript().eval(RScript.Mode.READ_ONLY, get, RScript.ReturnType.VALUE,
                Collections.<Object>singletonList(state)));
        results.put("script.other", redisson.getScript().eval(RScript.Mode.READ_ONLY, get, RScript.ReturnType.VALUE,
                Collections.<Object>singletonList(other)));
    }

    /**
     * Prints {@code connected}, then {@code count} times, {@code pauseMillis} apart, a line {@code round.<n>=} with
     * the state key read through the sync, async, Reactive and RxJava APIs and the other key read once; for an
     * attach while it runs.
     */
    private static void rounds(RedissonClient redisson, String state, String other, int count, long pauseMillis)
            throws Exception {
        System.out.println("connected");
        System.out.flush();
        for (int i = 0; i < count; i++) {
            System.out.println("round." + i + "=" + redisson.<String>getBucket(state).get()
                    + "|" + await(redisson.<String>getBucket(state).getAsync())
                    + "|" + redisson.reactive().<String>getBucket(state).get().block()
                    + "|" + redisson.rxJava().<String>getBucket(state).get().blockingGet()
                    + "|" + redisson.<String>getBucket(other).get());
            System.out.flush();
            Thread.sleep(pauseMillis);
        }
    }

    private static int loop(RedissonClient redisson, String key, int rounds) {
        int stale = 0;
        for (int i = 0; i < rounds; i++) {
            String value = "v" + i + "-" + System.nanoTime();
            redisson.<String>getBucket(key).set(value);
            if (!value.equals(redisson.<String>getBucket(key).get())) {
                stale++;
            }
        }
        return stale;
    }

    private static <T> T await(RFuture<T> future) throws Exception {
        return future.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
