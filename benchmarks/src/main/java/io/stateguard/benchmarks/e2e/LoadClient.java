package io.stateguard.benchmarks.e2e;

import io.stateguard.benchmarks.Child;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce end-to-end load client, run in a forked JVM per variant (with or without agents): Lettuce async over a
 * Master/Replica connection (static primary and replica), pipelined ({@code setAutoFlushCommands(false)}, one
 * flush per batch), the {@link PipelinedLoad} mix of GET (reads, {@code ReadFrom} of the application) and SET.
 *
 * <p>Arguments ({@code name=value}): {@code primary}, {@code replica} (ports on 127.0.0.1), {@code readFrom}
 * ({@code REPLICA_PREFERRED} or {@code UPSTREAM}), {@code warmup} and {@code ops} (operations), {@code batch},
 * {@code getPercent}. Prints the {@code result.<name>=<value>} lines of {@link PipelinedLoad#measure} and
 * {@code result.tracing} (Lettuce's {@code ClientResources.tracing()}).
 */
public final class LoadClient extends PipelinedLoad {

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Child.arguments(argv);
        int primary = Integer.parseInt(args.get("primary"));
        int replica = Integer.parseInt(args.get("replica"));
        ReadFrom readFrom = args.getOrDefault("readFrom", "REPLICA_PREFERRED").equals("UPSTREAM") ? ReadFrom.UPSTREAM
                : ReadFrom.REPLICA_PREFERRED;
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "50000"));
        int ops = Integer.parseInt(args.getOrDefault("ops", "200000"));
        int batch = Integer.parseInt(args.getOrDefault("batch", "100"));
        int getPercent = Integer.parseInt(args.getOrDefault("getPercent", "80"));

        RedisClient client = RedisClient.create();
        System.out.println("result.tracing=" + client.getResources().tracing().getClass().getName() + ":"
                + client.getResources().tracing().isEnabled());
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, List.of(RedisURI.create("127.0.0.1", primary), RedisURI.create("127.0.0.1", replica)))) {
            connection.setReadFrom(readFrom);
            connection.setAutoFlushCommands(false);
            new LoadClient(connection, batch, getPercent).measure(warmup, ops);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        printProcessCpu();
    }

    private final StatefulRedisMasterReplicaConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final String[] readKeys = new String[Workload.KEYS];
    private final String[] writeKeys = new String[Workload.KEYS];

    private LoadClient(StatefulRedisMasterReplicaConnection<String, String> connection, int batch, int getPercent) {
        super(batch, getPercent);
        this.connection = connection;
        this.redis = connection.async();
        for (int i = 0; i < Workload.KEYS; i++) {
            readKeys[i] = Workload.readKey(i);
            writeKeys[i] = Workload.writeKey(i);
        }
    }

    @Override
    CompletionStage<?> get(int key) {
        return redis.get(readKeys[key]);
    }

    @Override
    CompletionStage<?> set(int key, String value) {
        return redis.set(writeKeys[key], value);
    }

    @Override
    void endOfBatch() {
        connection.flushCommands();
    }
}
