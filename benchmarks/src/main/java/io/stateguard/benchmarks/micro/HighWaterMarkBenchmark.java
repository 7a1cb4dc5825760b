package io.stateguard.benchmarks.micro;

import io.stateguard.agent.versions.HighWaterMarks;
import io.stateguard.agent.versions.Observation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A high-water-mark update ({@link HighWaterMarks#observe(int, byte[], int, int, long)}: read the key's words,
 * hash, lock-free probe validated by the segment's optimistic stamp, compare, raise by CAS) on a table holding
 * 10,000 state keys, from 1 thread and from 8 threads sharing the
 * table (on this machine's 2 cores: contention and oversubscription). Each thread walks the keys in its own
 * order with its own rising versions, so updates are a mix of raised and lower-than-mark observations, and 8
 * threads hit the same keys and segments.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HighWaterMarkBenchmark {

    static final int KEYS = 10_000;

    @State(Scope.Benchmark)
    public static class Table {
        final HighWaterMarks marks = new HighWaterMarks();
        final byte[][] keys = new byte[KEYS][];

        @Setup
        public void setUp() {
            for (int i = 0; i < KEYS; i++) {
                keys[i] = String.format("evolution:state:inst-%06d", i).getBytes(StandardCharsets.UTF_8);
                marks.observe(0, keys[i], 0, keys[i].length, 0);
            }
        }
    }

    @State(Scope.Thread)
    public static class Cursor {
        int next;
        int step;
        long version;

        @Setup
        public void setUp() {
            step = 1 + 2 * (int) (Thread.currentThread().getId() % 97); // odd: visits every key
            next = (int) (Thread.currentThread().getId() * 7919 % KEYS);
        }
    }

    private static Observation observe(Table table, Cursor cursor) {
        int i = cursor.next;
        cursor.next = (i + cursor.step) % KEYS;
        byte[] key = table.keys[i];
        return table.marks.observe(0, key, 0, key.length, ++cursor.version);
    }

    @Benchmark
    @Threads(1)
    public Observation observe1Thread(Table table, Cursor cursor) {
        return observe(table, cursor);
    }

    @Benchmark
    @Threads(8)
    public Observation observe8Threads(Table table, Cursor cursor) {
        return observe(table, cursor);
    }
}
