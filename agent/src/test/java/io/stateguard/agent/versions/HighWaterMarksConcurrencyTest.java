package io.stateguard.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HighWaterMarksConcurrencyTest {

    private static final int THREADS = 8;

    @Test
    void racingObserversNeverLoseAnAdvance() throws Exception {
        int keys = 200;
        int rounds = 150;
        HighWaterMarks marks = new HighWaterMarks();
        byte[][] keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ("evolution:state:" + k).getBytes(StandardCharsets.UTF_8);
        }
        AtomicIntegerArray newCounts = new AtomicIntegerArray(keys);
        AtomicLong regressions = new AtomicLong();
        runConcurrently(thread -> () -> {
            List<Integer> order = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                order.add(k);
            }
            Collections.shuffle(order, new java.util.Random(thread));
            // Versions increase per thread and interleave across threads: thread t writes r * 8 + t.
            for (int round = 0; round < rounds; round++) {
                long version = (long) round * THREADS + thread;
                for (int k : order) {
                    byte[] key = keyBytes[k];
                    Observation seen = (k & 1) == 0
                            ? marks.observe(k % 4, key, 0, key.length, version)
                            : marks.observe(k % 4, ByteBuffer.wrap(key), version);
                    if (seen == Observation.NEW) {
                        newCounts.incrementAndGet(k);
                    } else if (seen == Observation.REGRESSED) {
                        regressions.incrementAndGet();
                    }
                }
            }
            return null;
        });
        long max = (long) (rounds - 1) * THREADS + THREADS - 1;
        for (int k = 0; k < keys; k++) {
            assertThat(marks.get(k % 4, keyBytes[k], 0, keyBytes[k].length)).as("mark of key %d", k).isEqualTo(max);
            assertThat(newCounts.get(k)).as("NEW results for key %d", k).isEqualTo(1);
        }
        assertThat(marks.size()).isEqualTo(keys);
        assertThat(marks.evictions()).isZero();
    }

    @Test
    void evictionUnderContentionKeepsTheBoundAndTheMarks() throws Exception {
        int bound = 512;
        HighWaterMarks marks = new HighWaterMarks(bound);
        runConcurrently(thread -> () -> {
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 12_000; i++) {
                // Half the keys are shared by all threads, half are the thread's own.
                String name = (i & 1) == 0 ? "shared:" + (i % 1000) : "own:" + thread + ":" + i;
                byte[] key = name.getBytes(StandardCharsets.UTF_8);
                direct.clear();
                direct.put(key).flip();
                long version = i;
                switch (i % 7) {
                    case 0 -> marks.reset(0, direct, version);
                    case 1 -> marks.remove(0, key, 0, key.length);
                    case 2 -> marks.get(0, direct);
                    default -> marks.observe(0, direct, version);
                }
                if (marks.size() > bound) {
                    throw new AssertionError("size " + marks.size() + " > " + bound);
                }
            }
            return null;
        });
        assertThat(marks.size()).isBetween(1, bound);
        assertThat(marks.evictions()).isPositive();
    }

    private static void runConcurrently(IntFunction<Callable<Void>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Callable<Void> body = task.apply(t);
                results.add(pool.submit(() -> {
                    start.await();
                    return body.call();
                }));
            }
            start.countDown();
            for (Future<Void> result : results) {
                result.get(8, TimeUnit.SECONDS); // rethrows a worker's assertion failure
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
