package io.stateguard.it.probe;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.masterslave.MasterSlave;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.AsyncCommand;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small Lettuce application, run in a forked JVM with or without the agent: it reads a state key,
 * an unrelated key and a hash field through every API and topology the agent must cover, with
 * {@code ReadFrom.REPLICA}, and prints one {@code name=value} line per read. It never writes, so
 * the replica stays as stale as the test made it.
 *
 * <p>Arguments: {@code <mode> <nodes> <stateKey> <otherKey> <hashKey> <hashField>}, where mode is
 * {@code static}, {@code discovery}, {@code masterslave}, {@code sentinel:<masterName>} or
 * {@code cluster}, and nodes is a comma-separated list of {@code host:port} (the data nodes for
 * {@code static}, the primary for {@code discovery}/{@code masterslave}, the sentinels, or any
 * cluster nodes).
 */
public final class RoutingProbe {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<RedisURI> nodes = ProbeConnections.nodes(args[1].split(","));
        Keys<String> keys = new Keys<>(args[2], args[3], args[4], args[5]);
        Map<String, String> results = new TreeMap<>();
        if (mode.equals("cluster")) {
            RedisClusterClient client = RedisClusterClient.create(nodes);
            try {
                probeCluster(client, StringCodec.UTF8, keys, "", Function.identity(), results);
                probeCluster(client, ByteArrayCodec.INSTANCE, keys.bytes(), "bytes.", RoutingProbe::text, results);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        } else {
            RedisClient client = RedisClient.create();
            try {
                probeMasterReplica(client, mode, nodes, StringCodec.UTF8, keys, "", Function.identity(), results);
                probeMasterReplica(client, mode, nodes, ByteArrayCodec.INSTANCE, keys.bytes(), "bytes.",
                        RoutingProbe::text, results);
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
    }

    private static <K, V> void probeMasterReplica(RedisClient client, String mode, List<RedisURI> nodes,
            RedisCodec<K, V> codec, Keys<K> keys, String prefix, Function<V, String> text, Map<String, String> results)
            throws Exception {
        StatefulRedisMasterReplicaConnection<K, V> connection;
        if (mode.equals("static")) {
            connection = MasterReplica.connect(client, codec, nodes);
        } else if (mode.equals("discovery")) {
            connection = MasterReplica.connect(client, codec, nodes.get(0));
        } else if (mode.equals("masterslave")) {
            @SuppressWarnings("deprecation")
            StatefulRedisMasterReplicaConnection<K, V> legacy = MasterSlave.connect(client, codec, nodes.get(0));
            connection = legacy;
        } else if (mode.startsWith("sentinel:")) {
            RedisURI.Builder sentinel = RedisURI.builder();
            for (RedisURI node : nodes) {
                sentinel.withSentinel(node.getHost(), node.getPort());
            }
            sentinel.withSentinelMasterId(mode.substring("sentinel:".length()));
            connection = MasterReplica.connect(client, codec, sentinel.build());
        } else {
            throw new IllegalArgumentException("unknown mode " + mode);
        }
        try {
            connection.setReadFrom(ReadFrom.REPLICA);
            probe(connection, connection.sync(), connection.async(), connection.reactive(), codec, keys, prefix, text,
                    results);
        } finally {
            connection.close();
        }
    }

    private static <K, V> void probeCluster(RedisClusterClient client, RedisCodec<K, V> codec, Keys<K> keys,
            String prefix, Function<V, String> text, Map<String, String> results) throws Exception {
        StatefulRedisClusterConnection<K, V> connection = client.connect(codec);
        try {
            connection.setReadFrom(ReadFrom.REPLICA);
            probe(connection, connection.sync(), connection.async(), connection.reactive(), codec, keys, prefix, text,
                    results);
        } finally {
            connection.close();
        }
    }

    private static <K, V> void probe(StatefulConnection<K, V> connection, RedisClusterCommands<K, V> sync,
            RedisClusterAsyncCommands<K, V> async, RedisClusterReactiveCommands<K, V> reactive, RedisCodec<K, V> codec,
            Keys<K> keys, String prefix, Function<V, String> text, Map<String, String> results) throws Exception {
        results.put(prefix + "sync.state", text.apply(sync.get(keys.state)));
        results.put(prefix + "sync.other", text.apply(sync.get(keys.other)));
        results.put(prefix + "sync.hget", text.apply(sync.hget(keys.hash, keys.field)));
        results.put(prefix + "sync.mget", mget(sync.mget(keys.other, keys.state), text));
        results.put(prefix + "sync.exists.other", String.valueOf(sync.exists(keys.other)));

        results.put(prefix + "async.state", text.apply(async.get(keys.state).get(10, TimeUnit.SECONDS)));
        results.put(prefix + "async.other", text.apply(async.get(keys.other).get(10, TimeUnit.SECONDS)));
        results.put(prefix + "async.hget", text.apply(async.hget(keys.hash, keys.field).get(10, TimeUnit.SECONDS)));

        results.put(prefix + "reactive.state", text.apply(reactive.get(keys.state).block()));
        results.put(prefix + "reactive.other", text.apply(reactive.get(keys.other).block()));
        results.put(prefix + "reactive.hget", text.apply(reactive.hget(keys.hash, keys.field).block()));

        // Pipelining, as Spring Data Redis does: commands are buffered and flushed together.
        connection.setAutoFlushCommands(false);
        try {
            var state = async.get(keys.state);
            var other = async.get(keys.other);
            var hget = async.hget(keys.hash, keys.field);
            connection.flushCommands();
            results.put(prefix + "pipelined.state", text.apply(state.get(10, TimeUnit.SECONDS)));
            results.put(prefix + "pipelined.other", text.apply(other.get(10, TimeUnit.SECONDS)));
            results.put(prefix + "pipelined.hget", text.apply(hget.get(10, TimeUnit.SECONDS)));
        } finally {
            connection.setAutoFlushCommands(true);
        }

        // A batch dispatched as one collection shares one routing decision.
        List<AsyncCommand<K, V, V>> mixed = Arrays.asList(get(codec, keys.other), get(codec, keys.state));
        List<AsyncCommand<K, V, V>> plain = Arrays.asList(get(codec, keys.other));
        dispatch(connection, mixed);
        dispatch(connection, plain);
        results.put(prefix + "batch.mixed.other", text.apply(mixed.get(0).get(10, TimeUnit.SECONDS)));
        results.put(prefix + "batch.mixed.state", text.apply(mixed.get(1).get(10, TimeUnit.SECONDS)));
        results.put(prefix + "batch.plain.other", text.apply(plain.get(0).get(10, TimeUnit.SECONDS)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <K, V> void dispatch(StatefulConnection<K, V> connection, List<AsyncCommand<K, V, V>> commands) {
        connection.dispatch((List) commands);
    }

    private static <K, V> AsyncCommand<K, V, V> get(RedisCodec<K, V> codec, K key) {
        return new AsyncCommand<>(
                new Command<>(CommandType.GET, new ValueOutput<>(codec), new CommandArgs<>(codec).addKey(key)));
    }

    private static <K, V> String mget(List<io.lettuce.core.KeyValue<K, V>> values, Function<V, String> text) {
        StringBuilder joined = new StringBuilder();
        for (io.lettuce.core.KeyValue<K, V> value : values) {
            if (joined.length() > 0) {
                joined.append('|');
            }
            joined.append(value.hasValue() ? text.apply(value.getValue()) : "null");
        }
        return joined.toString();
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static final class Keys<K> {
        final K state;
        final K other;
        final K hash;
        final K field;

        Keys(K state, K other, K hash, K field) {
            this.state = state;
            this.other = other;
            this.hash = hash;
            this.field = field;
        }

        Keys<byte[]> bytes() {
            return new Keys<>(b(state), b(other), b(hash), b(field));
        }

        private static byte[] b(Object key) {
            return ((String) key).getBytes(StandardCharsets.UTF_8);
        }
    }
}
