package io.stateguard.benchmarks.replication;

import io.stateguard.benchmarks.Child;
import io.stateguard.benchmarks.ThreadCpu;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The status-polling client of the replication phase, run in a forked JVM per variant (with or without the
 * agent): a gateway that keeps a few hundred status keys ({@link #key}, values {@code {"v":N}}) and polls them.
 * One writer thread rewrites a random key every {@code writeEveryMillis} with an increasing version ({@code SET},
 * synchronous); poller threads read random keys continuously, in rounds of {@code batch} asynchronous
 * {@code GET}s issued together and then awaited, through the same Lettuce Master/Replica connection with
 * {@code ReadFrom.REPLICA} (static nodes: the primary and one replica).
 *
 * <p><b>Stale reads.</b> Per key the client keeps the highest version it has seen acknowledged: its own
 * acknowledged writes and the replies of its completed reads. A read that returns a lower version than the one
 * known when it was issued is stale; when that version came from this process's own acknowledged write it is
 * also counted as a stale read of an own write ({@code staleOwn}).
 *
 * <p><b>Where reads went.</b> Around the measured window it reads {@code cmdstat_get} of {@code INFO commandstats}
 * of both nodes on plain connections of its own (not through the Master/Replica connection): the replica's share
 * of the {@code GET}s of the window (a guard's re-read of a stale reply counts on the primary).
 *
 * <p><b>CPU per read.</b> The process's CPU time during the measured window (all threads: JIT compilers and GC
 * included) and that of its Java threads (the pollers', Lettuce's, Netty's, the agent's monitor), per read.
 *
 * <p>Arguments ({@code name=value}): {@code primary}, {@code replica} (ports on 127.0.0.1), {@code keys},
 * {@code pollers}, {@code batch}, {@code writeEveryMillis}, {@code warmupMillis}, {@code measureMillis}. Prints
 * {@code result.<name>=<value>} lines.
 */
public final class StatusPollClient {

    /** The key of status {@code i}; the phase's rules match {@code status:*}. */
    public static String key(int i) {
        return "status:inst:" + (100_000 + i);
    }

    public static String value(long version) {
        return "{\"v\":" + version + "}";
    }

    private final RedisCommands<String, String> redis;
    private final RedisAsyncCommands<String, String> async;
    private final int batch;
    private final String[] keys;
    /** Per key: the highest version known (acknowledged own write or completed read). */
    private final AtomicLongArray known;
    /** Per key: the version of this process's newest acknowledged write (0: none). */
    private final AtomicLongArray written;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong staleOwn = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong nextVersion;
    private volatile boolean running = true;

    private StatusPollClient(StatefulRedisMasterReplicaConnection<String, String> connection, int keyCount,
            int batch) {
        this.redis = connection.sync();
        this.async = connection.async();
        this.batch = batch;
        this.keys = new String[keyCount];
        for (int i = 0; i < keyCount; i++) {
            keys[i] = key(i);
        }
        this.known = new AtomicLongArray(keyCount);
        this.written = new AtomicLongArray(keyCount);
        // Versions above any earlier run's (runs are sequential and write a few hundred versions each).
        this.nextVersion = new AtomicLong(System.currentTimeMillis() * 1_000);
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Child.arguments(argv);
        int primary = Integer.parseInt(args.get("primary"));
        int replica = Integer.parseInt(args.get("replica"));
        int keyCount = Integer.parseInt(args.getOrDefault("keys", "300"));
        int pollers = Integer.parseInt(args.getOrDefault("pollers", "2"));
        int batch = Integer.parseInt(args.getOrDefault("batch", "50"));
        long writeEvery = Long.parseLong(args.getOrDefault("writeEveryMillis", "50"));
        long warmupMillis = Long.parseLong(args.getOrDefault("warmupMillis", "2000"));
        long measureMillis = Long.parseLong(args.getOrDefault("measureMillis", "4000"));

        RedisClient client = RedisClient.create();
        RedisURI primaryUri = RedisURI.create("127.0.0.1", primary);
        RedisURI replicaUri = RedisURI.create("127.0.0.1", replica);
        try (StatefulRedisMasterReplicaConnection<String, String> connection = MasterReplica.connect(client,
                StringCodec.UTF8, List.of(primaryUri, replicaUri));
                StatefulRedisConnection<String, String> primaryStats = client.connect(primaryUri);
                StatefulRedisConnection<String, String> replicaStats = client.connect(replicaUri)) {
            connection.setReadFrom(ReadFrom.REPLICA);
            StatusPollClient load = new StatusPollClient(connection, keyCount, batch);
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> load.writeLoop(writeEvery), "status-writer"));
            for (int p = 0; p < pollers; p++) {
                threads.add(new Thread(load::pollLoop, "status-poller-" + p));
            }
            threads.forEach(Thread::start);
            Thread.sleep(warmupMillis);

            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long primaryGets = gets(primaryStats.sync());
            long replicaGets = gets(replicaStats.sync());
            long readsBefore = load.reads.get();
            long writesBefore = load.writes.get();
            long staleBefore = load.stale.get();
            long staleOwnBefore = load.staleOwn.get();
            java.lang.management.ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
            Map<Long, Long> threadCpuBefore = ThreadCpu.snapshot(threadBean);
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            Thread.sleep(measureMillis);
            long cpu = os.getProcessCpuTime() - cpuBefore;
            long threadCpu = ThreadCpu.since(threadBean, threadCpuBefore);
            long elapsed = System.nanoTime() - start;
            long reads = load.reads.get() - readsBefore;
            long writes = load.writes.get() - writesBefore;
            long primaryDelta = gets(primaryStats.sync()) - primaryGets;
            long replicaDelta = gets(replicaStats.sync()) - replicaGets;
            long windowStale = load.stale.get() - staleBefore;
            long windowStaleOwn = load.staleOwn.get() - staleOwnBefore;
            load.running = false;
            for (Thread thread : threads) {
                thread.join(5_000);
            }
            System.out.println("result.reads=" + reads);
            System.out.println("result.writes=" + writes);
            System.out.println("result.elapsedNanos=" + elapsed);
            System.out.println("result.readsPerSecond=" + reads * 1e9 / elapsed);
            System.out.println("result.cpuNanos=" + cpu);
            System.out.println("result.cpuNanosPerRead=" + (double) cpu / Math.max(1, reads));
            System.out.println("result.threadCpuNanosPerRead=" + (double) threadCpu / Math.max(1, reads));
            System.out.println("result.primaryGets=" + primaryDelta);
            System.out.println("result.replicaGets=" + replicaDelta);
            System.out.println("result.replicaShare=" + (double) replicaDelta / Math.max(1, primaryDelta + replicaDelta));
            System.out.println("result.stale=" + windowStale);
            System.out.println("result.staleOwn=" + windowStaleOwn);
            // Over the whole run, warm-up included: the first reads, before the monitor's first round, too.
            System.out.println("result.staleWholeRun=" + load.stale.get());
            System.out.println("result.staleOwnWholeRun=" + load.staleOwn.get());
            System.out.println("result.readsWholeRun=" + load.reads.get());
            System.out.println("result.errors=" + load.errors.get());
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private void writeLoop(long everyMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running) {
            int k = random.nextInt(keys.length);
            long version = nextVersion.incrementAndGet();
            try {
                redis.set(keys[k], value(version));
                raise(written, k, version);
                raise(known, k, version);
                writes.incrementAndGet();
            } catch (RuntimeException e) {
                errors.incrementAndGet();
            }
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Reads random keys in rounds of {@code batch} asynchronous {@code GET}s (all issued, then all awaited): a
     * gateway refreshing the status of the instances it serves. Each read's floor is taken when it is issued.
     */
    private void pollLoop() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int[] batchKeys = new int[batch];
        long[] floors = new long[batch];
        long[] ownFloors = new long[batch];
        @SuppressWarnings("unchecked")
        RedisFuture<String>[] futures = new RedisFuture[batch];
        while (running) {
            for (int j = 0; j < batch; j++) {
                int k = random.nextInt(keys.length);
                batchKeys[j] = k;
                floors[j] = known.get(k);
                ownFloors[j] = written.get(k);
                futures[j] = async.get(keys[k]);
            }
            for (int j = 0; j < batch; j++) {
                int k = batchKeys[j];
                try {
                    long version = version(futures[j].get(10, TimeUnit.SECONDS));
                    if (version < floors[j]) {
                        stale.incrementAndGet();
                        if (version < ownFloors[j]) {
                            staleOwn.incrementAndGet();
                        }
                    }
                    raise(known, k, version);
                    reads.incrementAndGet();
                } catch (Exception e) {
                    errors.incrementAndGet();
                } finally {
                    futures[j] = null;
                }
            }
        }
    }

    /** The {@code v} of {@code {"v":N}}; -1 for a missing key or another value. */
    public static long version(String value) {
        if (value == null || !value.startsWith("{\"v\":") || !value.endsWith("}")) {
            return -1;
        }
        try {
            return Long.parseLong(value, 5, value.length() - 1, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void raise(AtomicLongArray cells, int i, long value) {
        long current;
        while ((current = cells.get(i)) < value && !cells.compareAndSet(i, current, value)) {
            // another thread raised it meanwhile: compare again
        }
    }

    private static long gets(RedisCommands<String, String> node) {
        String info = node.info("commandstats");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_get:")) {
                for (String part : line.substring("cmdstat_get:".length()).split(",")) {
                    if (part.startsWith("calls=")) {
                        return Long.parseLong(part.substring("calls=".length()));
                    }
                }
            }
        }
        return 0;
    }
}
