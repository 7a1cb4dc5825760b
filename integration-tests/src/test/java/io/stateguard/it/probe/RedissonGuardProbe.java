package io.stateguard.it.probe;

import org.redisson.Redisson;
import org.redisson.api.RBatch;
import org.redisson.api.RFuture;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.Codec;
import org.redisson.client.codec.StringCodec;
import org.redisson.codec.Kryo5Codec;
import org.redisson.codec.TypedJsonJacksonCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * A Redisson application for the version guard, run in a forked JVM while the test holds the replica's replication
 * stream; the Redisson counterpart of {@link GuardProbe}. Two clients on the same master and replica: one reads from
 * the master ({@code ReadMode.MASTER}), the other from the replica ({@code ReadMode.SLAVE}, Redisson's default). It
 * writes one state key (version 7: read-your-writes), reads another on the master (version 8: monotonic reads),
 * writes a third the replica never receives (version 5), then reads all three through the replica client's sync,
 * async, Reactive and RxJava APIs and prints the version it got for each ({@code nil} for no value,
 * {@code EXC:<type>} for an exception). It also reads a hash whose field {@code v} is its version through
 * {@code RMap.get} ({@code HGET}), {@code getAll} ({@code HMGET}) and {@code readAllMap} ({@code HGETALL}), both
 * state keys through {@code RBuckets.get} ({@code MGET}), one through a batch (never checked), and a key of the wrong
 * type, whose error must reach the application as it is.
 *
 * <p>Arguments: {@code <master host:port>,<replica host:port> <codec> <writtenKey> <readKey> <missingKey> <hashKey>
 * <wrongTypeKey>}; codec {@code string} ({@code StringCodec}: the values are JSON text) or {@code kryo}
 * ({@code Kryo5Codec}, Redisson's default: binary values, whose version cannot be read; the probe then only writes
 * the written key and reads it back from both clients) or {@code json} ({@code TypedJsonJacksonCodec} of maps: the
 * values are JSON objects the codec writes and reads; the probe then reads the three string keys through the four
 * APIs only).
 *
 * <p>Or, for a Sentinel or Cluster topology whose replica the test made diverge: {@code <topology> <nodes>
 * <stateKey> <hashKey>} (topology and nodes as for {@link RedissonProbe#connect}): it reads the state key and the
 * hash's field {@code v} on the master, then through the replica client's sync, async, Reactive and RxJava APIs
 * and {@code RMap.get}, and prints the versions.
 */
public final class RedissonGuardProbe {

    public static void main(String[] args) throws Exception {
        if (args[0].startsWith("sentinel:") || args[0].equals("cluster")) {
            topology(args[0], args[1], args[2], args[3]);
            return;
        }
        String[] nodes = args[0].split(",");
        String codecName = args[1];
        String written = args[2];
        String read = args[3];
        String missing = args[4];
        String hash = args[5];
        String wrongType = args[6];
        Codec codec = codecName.equals("kryo") ? new Kryo5Codec()
                : codecName.equals("json") ? new TypedJsonJacksonCodec(Map.class) : StringCodec.INSTANCE;
        Map<String, String> results = new TreeMap<>();
        RedissonClient primary = connect(nodes, codec, ReadMode.MASTER);
        RedissonClient replica = connect(nodes, codec, ReadMode.SLAVE);
        try {
            if (codecName.equals("json")) {
                json(primary, replica, written, read, missing, results);
                results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
                return;
            }
            primary.<String>getBucket(written).set("{\"state\":\"open\",\"version\":7}");
            if (codecName.equals("kryo")) {
                results.put("kryo.primary", version(primary.<String>getBucket(written).get()));
                results.put("kryo.replica", attempt(() -> version(replica.<String>getBucket(written).get())));
                results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
                return;
            }
            results.put("setup.read", version(primary.<String>getBucket(read).get()));
            primary.<String>getBucket(missing).set("{\"state\":\"open\",\"version\":5}");

            for (String key : new String[] {written, read, missing}) {
                LogWindow.next(); // at most 4 events per window: every one is logged
                String name = key.equals(written) ? "written" : key.equals(read) ? "read" : "missing";
                results.put("sync." + name, attempt(() -> version(replica.<String>getBucket(key).get())));
                results.put("async." + name, attempt(() -> version(await(replica.<String>getBucket(key).getAsync()))));
                results.put("reactive." + name,
                        attempt(() -> version(replica.reactive().<String>getBucket(key).get().block())));
                results.put("rx." + name,
                        attempt(() -> version(replica.rxJava().<String>getBucket(key).get().blockingGet())));
            }
            results.put("setup.hash", primary.<String, String>getMap(hash).get("v"));
            LogWindow.next();
            results.put("map.get", attempt(() -> replica.<String, String>getMap(hash).get("v")));
            results.put("map.getAll", attempt(() -> replica.<String, String>getMap(hash)
                    .getAll(new HashSet<>(Arrays.asList("state", "v"))).get("v")));
            results.put("map.readAllMap", attempt(() -> replica.<String, String>getMap(hash).readAllMap().get("v")));
            results.put("batch.written", attempt(() -> {
                RBatch batch = replica.createBatch();
                RFuture<Object> value = batch.getBucket(written).getAsync();
                batch.execute();
                return version((String) await(value));
            }));
            results.put("sync.wrongtype", attempt(() -> version(replica.<String>getBucket(wrongType).get())));
            LogWindow.next();
            results.put("buckets.get", attempt(() -> {
                Map<String, String> both = replica.getBuckets().get(written, read);
                return version(both.get(written)) + "|" + version(both.get(read));
            }));
        } finally {
            replica.shutdown(0, 2, TimeUnit.SECONDS);
            primary.shutdown(0, 2, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }

    /** The string keys' scenario with map values through a JSON codec: versions read from {@code map.version}. */
    private static void json(RedissonClient primary, RedissonClient replica, String written, String read,
            String missing, Map<String, String> results) throws Exception {
        primary.<Map<String, Object>>getBucket(written).set(state("open", 7));
        results.put("setup.read", mapVersion(primary.<Map<String, Object>>getBucket(read).get()));
        primary.<Map<String, Object>>getBucket(missing).set(state("open", 5));
        for (String key : new String[] {written, read, missing}) {
            LogWindow.next();
            String name = key.equals(written) ? "written" : key.equals(read) ? "read" : "missing";
            results.put("sync." + name, attempt(() -> mapVersion(replica.<Map<String, Object>>getBucket(key).get())));
            results.put("async." + name,
                    attempt(() -> mapVersion(await(replica.<Map<String, Object>>getBucket(key).getAsync()))));
            results.put("reactive." + name,
                    attempt(() -> mapVersion(replica.reactive().<Map<String, Object>>getBucket(key).get().block())));
            results.put("rx." + name,
                    attempt(() -> mapVersion(replica.rxJava().<Map<String, Object>>getBucket(key).get().blockingGet())));
        }
    }

    private static Map<String, Object> state(String state, int version) {
        Map<String, Object> value = new java.util.LinkedHashMap<>();
        value.put("state", state);
        value.put("version", version);
        return value;
    }

    /** The {@code version} of a state map, {@code nil} for none. */
    private static String mapVersion(Map<String, Object> value) {
        return value == null ? "nil" : String.valueOf(value.get("version"));
    }

    private static void topology(String topology, String nodes, String state, String hash) throws Exception {
        Map<String, String> results = new TreeMap<>();
        RedissonClient primary = RedissonProbe.connect(topology, nodes, "MASTER");
        RedissonClient replica = RedissonProbe.connect(topology, nodes, "SLAVE");
        try {
            results.put("setup.read", version(primary.<String>getBucket(state).get()));
            results.put("setup.hash", primary.<String, String>getMap(hash).get("v"));
            results.put("sync.read", attempt(() -> version(replica.<String>getBucket(state).get())));
            results.put("async.read", attempt(() -> version(await(replica.<String>getBucket(state).getAsync()))));
            results.put("reactive.read", attempt(() -> version(replica.reactive().<String>getBucket(state).get().block())));
            results.put("rx.read", attempt(() -> version(replica.rxJava().<String>getBucket(state).get().blockingGet())));
            results.put("map.get", attempt(() -> replica.<String, String>getMap(hash).get("v")));
        } finally {
            replica.shutdown(0, 2, TimeUnit.SECONDS);
            primary.shutdown(0, 2, TimeUnit.SECONDS);
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }

    private static RedissonClient connect(String[] nodes, Codec codec, ReadMode readMode) {
        Config config = new Config();
        config.setCodec(codec);
        config.useMasterSlaveServers().setMasterAddress("redis://" + nodes[0]).addSlaveAddress("redis://" + nodes[1])
                .setReadMode(readMode);
        return Redisson.create(config);
    }

    private static <T> T await(RFuture<T> future) throws Exception {
        return future.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The value, or {@code EXC:<type>} for an exception ({@code EXC:<type>:<cause type>} when it has a cause). */
    private static String attempt(Callable<String> read) {
        try {
            return read.call();
        } catch (ExecutionException e) {
            return describe(e.getCause());
        } catch (Exception e) {
            return describe(e);
        }
    }

    private static String describe(Throwable error) {
        return "EXC:" + error.getClass().getName() + (error.getCause() == null ? "" : ":" + error.getCause().getClass()
                .getName());
    }
}
