package io.stateguard.benchmarks.e2e;

import io.stateguard.benchmarks.Child;
import org.redisson.Redisson;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ReadMode;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The Redisson end-to-end load client, the counterpart of {@link LoadClient}, run in a forked JVM per variant: a
 * Redisson client in master/slave mode (static master and slave, {@code StringCodec}, Redisson's default connection
 * pools and threads), the same {@link PipelinedLoad} mix of GET ({@code RBucket.getAsync}, read mode of the
 * application: {@code ReadMode.SLAVE}, or {@code MASTER}) and SET ({@code RBucket.setAsync}) of the {@link Workload}'s
 * keys and values. Redisson has no manual flush: the commands of a batch are written as they are issued, then the
 * batch is awaited, so {@code batch} is the number of commands in flight. The buckets are created once, before the
 * warm-up, as the Lettuce client builds its key strings once.
 *
 * <p>Arguments ({@code name=value}): {@code primary}, {@code replica} (ports on 127.0.0.1), {@code readFrom}
 * ({@code SLAVE} or {@code MASTER}), {@code warmup}, {@code ops}, {@code batch}, {@code getPercent}. Prints the
 * {@code result.<name>=<value>} lines of {@link PipelinedLoad#measure}.
 */
public final class RedissonLoadClient extends PipelinedLoad {

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Child.arguments(argv);
        int primary = Integer.parseInt(args.get("primary"));
        int replica = Integer.parseInt(args.get("replica"));
        ReadMode readMode = ReadMode.valueOf(args.getOrDefault("readFrom", "SLAVE"));
        int warmup = Integer.parseInt(args.getOrDefault("warmup", "50000"));
        int ops = Integer.parseInt(args.getOrDefault("ops", "200000"));
        int batch = Integer.parseInt(args.getOrDefault("batch", "100"));
        int getPercent = Integer.parseInt(args.getOrDefault("getPercent", "80"));

        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.useMasterSlaveServers().setMasterAddress("redis://127.0.0.1:" + primary)
                .addSlaveAddress("redis://127.0.0.1:" + replica).setReadMode(readMode);
        RedissonClient client = Redisson.create(config);
        System.out.println("result.tracing=none (Redisson)");
        try {
            new RedissonLoadClient(client, batch, getPercent).measure(warmup, ops);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        printProcessCpu();
    }

    private final RBucket<String>[] readBuckets;
    private final RBucket<String>[] writeBuckets;

    @SuppressWarnings("unchecked")
    private RedissonLoadClient(RedissonClient client, int batch, int getPercent) {
        super(batch, getPercent);
        readBuckets = new RBucket[Workload.KEYS];
        writeBuckets = new RBucket[Workload.KEYS];
        for (int i = 0; i < Workload.KEYS; i++) {
            readBuckets[i] = client.getBucket(Workload.readKey(i));
            writeBuckets[i] = client.getBucket(Workload.writeKey(i));
        }
    }

    @Override
    CompletionStage<?> get(int key) {
        return readBuckets[key].getAsync();
    }

    @Override
    CompletionStage<?> set(int key, String value) {
        return writeBuckets[key].setAsync(value);
    }
}
