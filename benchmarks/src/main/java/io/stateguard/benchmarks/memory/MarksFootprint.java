package io.stateguard.benchmarks.memory;

import io.stateguard.agent.versions.HighWaterMarks;

import java.lang.management.ManagementFactory;

/**
 * Heap per tracked key of {@link HighWaterMarks}: used heap after full GCs before and after filling a table
 * (bounded to the key count, as {@code max-tracked-keys} would be set) with 10k, 100k and 1M distinct keys.
 * Run with {@code -XX:+UseSerialGC} so that "used after GC" is exact. Two key profiles: 20–40 bytes (30 on
 * average, {@code evolution:state:<n>} padded) and 16 bytes. Prints {@code result.<profile>.<keys>.bytes} and
 * {@code result.<profile>.<keys>.keyBytes} (the sum of key lengths).
 */
public final class MarksFootprint {

    public static void main(String[] args) {
        int[] counts = {10_000, 100_000, 1_000_000};
        byte[] key = new byte[64];
        // Warm-up: load and initialise everything a measurement touches, so that "before" is stable.
        for (int round = 0; round < 2; round++) {
            HighWaterMarks warm = new HighWaterMarks(10_000);
            for (int i = 0; i < 10_000; i++) {
                warm.observe(0, key, 0, round == 0 ? key30(i, key) : key16(i, key), i);
            }
            usedAfterGc();
        }
        for (String profile : new String[] {"k30", "k16"}) {
            for (int count : counts) {
                long before = usedAfterGc();
                HighWaterMarks marks = new HighWaterMarks(count);
                long keyBytes = 0;
                for (int i = 0; i < count; i++) {
                    int length = profile.equals("k30") ? key30(i, key) : key16(i, key);
                    marks.observe(0, key, 0, length, i);
                    keyBytes += length;
                }
                if (marks.size() != count) {
                    throw new IllegalStateException("expected " + count + " marks, found " + marks.size());
                }
                long after = usedAfterGc();
                System.out.println("result." + profile + "." + count + ".bytes=" + (after - before));
                System.out.println("result." + profile + "." + count + ".keyBytes=" + keyBytes);
                if (marks.size() < 0) {
                    System.out.println(marks); // keeps the table reachable until measured
                }
            }
        }
    }

    /** {@code evolution:state:<i>} padded with {@code x} to 20 + (i * 7919) % 21 bytes (20–40, 30 on average). */
    static int key30(int i, byte[] key) {
        int n = prefix(key, "evolution:state:");
        n = digits(key, n, i);
        int length = Math.max(n, 20 + (int) ((i * 7919L) % 21));
        while (n < length) {
            key[n++] = 'x';
        }
        return length;
    }

    /** {@code sg:<i>} zero-padded to 16 bytes. */
    static int key16(int i, byte[] key) {
        int n = prefix(key, "sg:");
        String digits = Integer.toString(i);
        for (int d = digits.length(); d < 13; d++) {
            key[n++] = '0';
        }
        return digits(key, n, i);
    }

    private static int prefix(byte[] key, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            key[i] = (byte) prefix.charAt(i);
        }
        return prefix.length();
    }

    private static int digits(byte[] key, int n, int value) {
        String digits = Integer.toString(value);
        for (int d = 0; d < digits.length(); d++) {
            key[n++] = (byte) digits.charAt(d);
        }
        return n;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
