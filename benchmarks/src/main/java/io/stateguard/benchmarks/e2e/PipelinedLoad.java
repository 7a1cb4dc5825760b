package io.stateguard.benchmarks.e2e;

import io.stateguard.benchmarks.ThreadCpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end-to-end workload loop and its measurement, shared by the load clients ({@link LoadClient} for Lettuce,
 * {@link RedissonLoadClient} for Redisson): a client only says how it issues a {@code GET} or a {@code SET} of the
 * {@link Workload}'s key number {@code i} asynchronously, and what it does at the end of a batch.
 *
 * <p>Batches of {@code batch} operations, a fixed mix ({@code getPercent}% {@code GET} of read keys, the rest
 * {@code SET} of write keys, from the same xorshift sequence in every run and every client), each batch awaited
 * before the next. {@link #measure} runs the warm-up, then measures {@code ops} operations and prints
 * {@code result.<name>=<value>} lines: elapsed time, per-command latency percentiles (from the call that issues the
 * command to its completion), the process CPU time (all threads: JIT compilers and GC included), the CPU time of the
 * Java threads (the application's, the client's and Netty's: what the agent's code runs on; JIT compilation and GC
 * excluded), the bytes allocated by all threads and the GC count during the measured operations.
 */
abstract class PipelinedLoad {

    private final int batch;
    private final int getPercent;
    private final String[] valueHeads = new String[Workload.KEYS];
    private long version = 1;
    private long seed = 0x9E3779B97F4A7C15L;
    private final AtomicLong errors = new AtomicLong();

    PipelinedLoad(int batch, int getPercent) {
        this.batch = batch;
        this.getPercent = getPercent;
        for (int i = 0; i < Workload.KEYS; i++) {
            valueHeads[i] = "w" + i;
        }
    }

    /** Issues {@code GET} of {@link Workload#readKey read key} {@code key}. */
    abstract CompletionStage<?> get(int key);

    /** Issues {@code SET} of {@link Workload#writeKey write key} {@code key} to {@code value}. */
    abstract CompletionStage<?> set(int key, String value);

    /** After the commands of a batch are issued, before they are awaited (Lettuce flushes its pipeline here). */
    void endOfBatch() {
    }

    /** Runs {@code ops} operations in batches; returns each one's latency in nanoseconds. */
    final long[] run(int ops) {
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
                CompletionStage<?> future = (int) ((r >>> 40) % 100) < getPercent
                        ? get(key)
                        : set(key, Workload.value(valueHeads[key], ++version));
                pending[j] = future.toCompletableFuture().handle((value, failure) -> {
                    latencies[index] = System.nanoTime() - issued;
                    if (failure != null) {
                        errors.incrementAndGet();
                    }
                    return null;
                });
            }
            endOfBatch();
            for (int j = 0; j < n; j++) {
                pending[j].join();
                pending[j] = null;
            }
            done += n;
        }
        return latencies;
    }

    /** The warm-up, then the measured operations; prints the results. */
    final void measure(int warmup, int ops) {
        run(warmup);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<Long, Long> threadCpuBefore = ThreadCpu.snapshot(threads);
        long allocBefore = allocatedBytes(threads);
        long cpuBefore = os.getProcessCpuTime();
        long gcBefore = gcCount();
        long start = System.nanoTime();
        long[] latencies = run(ops);
        long elapsed = System.nanoTime() - start;
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long alloc = allocatedBytes(threads) - allocBefore;
        long threadCpu = ThreadCpu.since(threads, threadCpuBefore);
        long gcs = gcCount() - gcBefore;

        Arrays.sort(latencies);
        System.out.println("result.ops=" + ops);
        System.out.println("result.errors=" + errors.get());
        System.out.println("result.elapsedNanos=" + elapsed);
        System.out.println("result.opsPerSecond=" + (ops * 1e9 / elapsed));
        System.out.println("result.p50Nanos=" + latencies[(int) (0.50 * (ops - 1))]);
        System.out.println("result.p99Nanos=" + latencies[(int) (0.99 * (ops - 1))]);
        System.out.println("result.cpuNanos=" + cpu);
        System.out.println("result.threadCpuNanos=" + threadCpu);
        System.out.println("result.allocatedBytes=" + alloc);
        System.out.println("result.gcCount=" + gcs);
    }

    /** The whole process's CPU time, printed once the client is shut down. */
    static void printProcessCpu() {
        System.out.println("result.processCpuNanos=" + ProcessHandle.current().info().totalCpuDuration()
                .map(d -> d.toNanos()).orElse(-1L));
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
