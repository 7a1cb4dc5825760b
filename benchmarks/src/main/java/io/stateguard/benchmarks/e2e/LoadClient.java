package io.stateguard.benchmarks.e2e;

import io.stateguard.benchmarks.Child;
import io.stateguard.benchmarks.ThreadCpu;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end load client, run in a forked JVM per variant (with or without agents): Lettuce async over a
 * Master/Replica connection (static primary and replica), pipelined ({@code setAutoFlushCommands(false)}, one
 * flush per batch), a fixed mix of GET (reads, {@code ReadFrom} of the application) and SET.
 *
 * <p>Arguments ({@code name=value}): {@code primary}, {@code replica} (ports on 127.0.0.1), {@code readFrom}
 * ({@code REPLICA_PREFERRED} or {@code UPSTREAM}), {@code warmup} and {@code ops} (operations), {@code batch},
 * {@code getPercent}. After the warm-up it measures {@code ops} operations and prints {@code result.<name>=<value>}
 * lines: elapsed time, per-command latency percentiles (from the call that issues the command to its
 * completion), the process CPU time (all threads: JIT compilers and GC included), the CPU time of the Java
 * threads (the application's, Lettuce's and Netty's: what the agent's code runs on; JIT compilation and GC
 * excluded) and the bytes allocated by all threads during the measured operations.
 */
public final class LoadClient {

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
            LoadClient load = new LoadClient(connection, batch, getPercent);
            load.run(warmup);

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Map<Long, Long> threadCpuBefore = ThreadCpu.snapshot(threads);
            long allocBefore = allocatedBytes(threads);
            long cpuBefore = os.getProcessCpuTime();
            long gcBefore = gcCount();
            long start = System.nanoTime();
            long[] latencies = load.run(ops);
            long elapsed = System.nanoTime() - start;
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long alloc = allocatedBytes(threads) - allocBefore;
            long threadCpu = ThreadCpu.since(threads, threadCpuBefore);
            long gcs = gcCount() - gcBefore;

            Arrays.sort(latencies);
            System.out.println("result.ops=" + ops);
            System.out.println("result.errors=" + load.errors.get());
            System.out.println("result.elapsedNanos=" + elapsed);
            System.out.println("result.opsPerSecond=" + (ops * 1e9 / elapsed));
            System.out.println("result.p50Nanos=" + latencies[(int) (0.50 * (ops - 1))]);
            System.out.println("result.p99Nanos=" + latencies[(int) (0.99 * (ops - 1))]);
            System.out.println("result.cpuNanos=" + cpu);
            System.out.println("result.threadCpuNanos=" + threadCpu);
            System.out.println("result.allocatedBytes=" + alloc);
            System.out.println("result.gcCount=" + gcs);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        System.out.println("result.processCpuNanos=" + ProcessHandle.current().info().totalCpuDuration()
                .map(d -> d.toNanos()).orElse(-1L));
    }

    private final StatefulRedisMasterReplicaConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final int batch;
    private final int getPercent;
    private final String[] readKeys = new String[Workload.KEYS];
    private final String[] writeKeys = new String[Workload.KEYS];
    private final String[] valueHeads = new String[Workload.KEYS];
    private long version = 1;
    private long seed = 0x9E3779B97F4A7C15L;
    private final java.util.concurrent.atomic.AtomicLong errors = new java.util.concurrent.atomic.AtomicLong();

    private LoadClient(StatefulRedisMasterReplicaConnection<String, String> connection, int batch, int getPercent) {
        this.connection = connection;
        this.redis = connection.async();
        this.batch = batch;
        this.getPercent = getPercent;
        for (int i = 0; i < Workload.KEYS; i++) {
            readKeys[i] = Workload.readKey(i);
            writeKeys[i] = Workload.writeKey(i);
            valueHeads[i] = "w" + i;
        }
    }

    /** Runs {@code ops} operations in pipelined batches; returns each one's latency in nanoseconds. */
    private long[] run(int ops) {
        long[] latencies = new long[ops];
        @SuppressWarnings("unchecked")
        CompletableFuture<Object>[] pending = new CompletableFuture[batch];
        for (int done = 0; done < ops; ) {
            int n = Math.min(batch, ops - done);
            for (int j = 0; j < n; j++) {
                long r = next();
                int key = (int) ((r >>> 8) % Workload.KEYS);
                final int index = done + j;
                final long issued = System.nanoTime();
                RedisFuture<String> future = (int) ((r >>> 40) % 100) < getPercent
                        ? redis.get(readKeys[key])
                        : redis.set(writeKeys[key], Workload.value(valueHeads[key], ++version));
                pending[j] = future.toCompletableFuture().handle((value, failure) -> {
                    latencies[index] = System.nanoTime() - issued;
                    if (failure != null) {
                        errors.incrementAndGet();
                    }
                    return null;
                });
            }
            connection.flushCommands();
            for (int j = 0; j < n; j++) {
                pending[j].join();
                pending[j] = null;
            }
            done += n;
        }
        return latencies;
    }

    /** xorshift64: the same sequence of operations in every run. */
    private long next() {
        long x = seed;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        seed = x;
        return x;
    }

    private static long allocatedBytes(ThreadMXBean threads) {
        if (!(threads instanceof com.sun.management.ThreadMXBean)) {
            return -1;
        }
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) threads;
        long total = 0;
        for (long bytes : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    private static long gcCount() {
        long count = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }
}
