package io.stateguard.benchmarks;

import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of a benchmark main's Java threads (the application's, Lettuce's, Netty's and the agent's: what the
 * agent's code runs on; JIT compiler and GC threads excluded), measured over a stretch of the run.
 */
public final class ThreadCpu {

    private ThreadCpu() {
    }

    /** CPU time of each live Java thread now, by thread id. */
    public static Map<Long, Long> snapshot(ThreadMXBean threads) {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    /** CPU used by Java threads since {@code before} (threads started since count in full). */
    public static long since(ThreadMXBean threads, Map<Long, Long> before) {
        long total = 0;
        for (Map.Entry<Long, Long> now : snapshot(threads).entrySet()) {
            total += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        return total;
    }
}
