package io.stateguard.agent.versions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Prints the heap a {@link HighWaterMarks} uses per tracked key, measured as used heap after full
 * GCs, for 10k, 100k and 1M keys of 20 to 40 bytes (30 on average), in two setups: a bound equal to
 * the key count, and one table with a 1M bound filled step by step. Not a test: no assertions, run it
 * by hand:
 * <pre>
 * java -cp agent/target/classes:agent/target/test-classes io.stateguard.agent.versions.HighWaterMarksFootprint
 * </pre>
 */
public final class HighWaterMarksFootprint {

    private static final int[] COUNTS = {10_000, 100_000, 1_000_000};
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private HighWaterMarksFootprint() {
    }

    public static void main(String[] args) {
        System.out.printf("JVM %s, max heap %d MiB%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        byte[] key = new byte[40];
        for (int count : COUNTS) {
            long before = usedAfterGc();
            HighWaterMarks marks = new HighWaterMarks(count);
            long keyBytes = fill(marks, key, 0, count);
            long after = usedAfterGc();
            report("bound = keys", count, marks, after - before, keyBytes);
            marks = null; // let the next round start from an empty heap
        }
        long before = usedAfterGc();
        HighWaterMarks shared = new HighWaterMarks(COUNTS[COUNTS.length - 1]);
        long keyBytes = 0;
        int filled = 0;
        for (int count : COUNTS) {
            keyBytes += fill(shared, key, filled, count);
            filled = count;
            report("bound = 1M", count, shared, usedAfterGc() - before, keyBytes);
        }
    }

    /** Inserts keys {@code from..to-1}; returns their total length. Keys are written into one reused array. */
    private static long fill(HighWaterMarks marks, byte[] key, int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            int length = keyOf(i, key);
            marks.observe(i % 16, key, 0, length, i);
            total += length;
        }
        if (marks.size() != to) {
            throw new IllegalStateException("expected " + to + " marks, found " + marks.size());
        }
        return total;
    }

    /** "evolution:state:" + i in decimal, padded with 'x' to a length of 20 + (i * 7919) % 21. */
    private static int keyOf(int i, byte[] key) {
        byte[] prefix = {'e', 'v', 'o', 'l', 'u', 't', 'i', 'o', 'n', ':', 's', 't', 'a', 't', 'e', ':'};
        System.arraycopy(prefix, 0, key, 0, prefix.length);
        int n = prefix.length;
        String digits = Integer.toString(i);
        for (int d = 0; d < digits.length(); d++) {
            key[n++] = (byte) digits.charAt(d);
        }
        int length = Math.max(n, 20 + (int) ((i * 7919L) % 21));
        while (n < length) {
            key[n++] = 'x';
        }
        return length;
    }

    private static void report(String setup, int count, HighWaterMarks marks, long bytes, long keyBytes) {
        System.out.printf("%-13s %,9d keys (avg key %.1f bytes): %,12d bytes = %6.1f bytes/key%n",
                setup, count, (double) keyBytes / count, bytes, (double) bytes / count);
        if (marks.size() != count) {
            throw new IllegalStateException();
        }
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        // Repeat until the figure stops falling: one System.gc() may leave floating garbage.
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = MEMORY.getHeapMemoryUsage().getUsed();
            if (now >= used && i >= 3) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return used;
    }
}
