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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@Tag("slow") // threads racing: left out of mutation testing (benchmarks/mutation.sh)
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
        int ownKeys = 300; // per thread: 8 * 300 own keys and 100 shared ones, far over the bound
        int sharedKeys = 100;
        int operations = 12_000;
        HighWaterMarks marks = new HighWaterMarks(bound);
        // What each own key (one writer: its thread) saw last: the version observed, or REMOVED.
        long[][] lastOwn = new long[THREADS][ownKeys];
        AtomicLong tracked = new AtomicLong(); // NEW observations minus successful removes
        AtomicLong[] sharedMax = new AtomicLong[sharedKeys];
        for (int k = 0; k < sharedKeys; k++) {
            sharedMax[k] = new AtomicLong(Long.MIN_VALUE);
        }
        runConcurrently(thread -> () -> {
            long[] last = lastOwn[thread];
            java.util.Arrays.fill(last, NEVER);
            ByteBuffer direct = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < operations; i++) {
                boolean shared = (i & 1) == 0;
                int k = shared ? (i / 2) % sharedKeys : (i / 2) % ownKeys;
                byte[] key = (shared ? "shared:" + k : "own:" + thread + ":" + k).getBytes(StandardCharsets.UTF_8);
                direct.clear();
                direct.put(key).flip();
                // Versions grow with i in every thread; thread t's versions are i * 8 + t, all distinct.
                long version = (long) i * THREADS + thread;
                switch (i % 7) {
                    case 1 -> {
                        if (marks.remove(0, key, 0, key.length)) {
                            tracked.decrementAndGet();
                        }
                        if (!shared) {
                            last[k] = REMOVED;
                        }
                    }
                    case 2 -> marks.get(0, direct);
                    default -> {
                        if (marks.observe(0, direct, version) == Observation.NEW) {
                            tracked.incrementAndGet();
                        }
                        if (shared) {
                            sharedMax[k].accumulateAndGet(version, Math::max);
                        } else {
                            last[k] = version;
                        }
                    }
                }
                if (marks.size() > bound) {
                    throw new AssertionError("size " + marks.size() + " > " + bound);
                }
            }
            return null;
        });
        assertThat(marks.evictions()).as("the bound was reached under contention").isPositive();
        assertThat(marks.size()).as("every mark is accounted for: created - removed - evicted")
                .isEqualTo(tracked.get() - marks.evictions());
        int present = 0;
        for (int t = 0; t < THREADS; t++) {
            for (int k = 0; k < ownKeys; k++) {
                byte[] key = ("own:" + t + ":" + k).getBytes(StandardCharsets.UTF_8);
                long last = lastOwn[t][k];
                if (!marks.contains(0, key, 0, key.length)) {
                    continue; // removed last, or evicted after its last observation
                }
                present++;
                // One writer with growing versions: whatever evictions happened, a mark still there is
                // the last (highest) version the writer observed, never an older one.
                assertThat(last).as("own key %d of thread %d was removed last, yet has a mark", k, t)
                        .isNotIn(REMOVED, NEVER);
                assertThat(marks.get(0, key, 0, key.length)).as("mark of own key %d of thread %d", k, t)
                        .isEqualTo(last);
            }
        }
        for (int k = 0; k < sharedKeys; k++) {
            byte[] key = ("shared:" + k).getBytes(StandardCharsets.UTF_8);
            if (marks.contains(0, key, 0, key.length)) {
                present++;
                long mark = marks.get(0, key, 0, key.length);
                // Written by all threads; an eviction in between lets an older version start again,
                // but a mark is always a version some thread observed for this very key.
                assertThat(mark).as("mark of shared key %d", k).isLessThanOrEqualTo(sharedMax[k].get());
                long i = mark / THREADS;
                assertThat(i % 2).as("a version of an even (shared) operation").isZero();
                assertThat((i / 2) % sharedKeys).as("a version written to shared key %d", k).isEqualTo(k);
            }
        }
        assertThat(present).as("keys found = size").isEqualTo(marks.size());
    }

    /**
     * Lookups take no lock: while half the threads insert and remove other keys (backward shifts move
     * entries, segments double), the other half read and raise a set of stable keys, and must find
     * every one of them every time, with a mark that never goes down.
     */
    @Test
    void lockFreeLookupsNeverMissAKeyMovedByInsertsRemovesOrDoublings() throws Exception {
        // A bound of 31 is one segment (up to 64 slots): every insert and remove moves entries among
        // the stable keys' slots. Each round starts from a new table, so that it doubles again.
        int stableKeys = 8;
        int churnKeys = 5; // 4 churning threads: 28 keys with the stable ones, below the bound
        for (int round = 0; round < 20; round++) {
            HighWaterMarks marks = new HighWaterMarks(31);
            AtomicInteger churning = new AtomicInteger(THREADS / 2);
            byte[][] stable = new byte[stableKeys][];
            for (int k = 0; k < stableKeys; k++) {
                stable[k] = ("stable:" + k).getBytes(StandardCharsets.UTF_8);
                marks.observe(0, stable[k], 0, stable[k].length, 0);
            }
            runConcurrently(thread -> () -> {
                if (thread % 2 == 0) {
                    byte[][] own = new byte[churnKeys][];
                    for (int i = 0; i < churnKeys; i++) {
                        own[i] = ("churn:" + thread + ":" + i).getBytes(StandardCharsets.UTF_8);
                    }
                    try {
                        for (int pass = 0; pass < 3000; pass++) {
                            for (byte[] key : own) {
                                marks.observe(0, key, 0, key.length, pass);
                            }
                            for (byte[] key : own) {
                                if (!marks.remove(0, key, 0, key.length)) {
                                    throw new AssertionError("own churn key lost: " + new String(key, StandardCharsets.UTF_8));
                                }
                            }
                        }
                    } finally {
                        churning.decrementAndGet();
                    }
                } else {
                    long[] seen = new long[stableKeys];
                    for (int i = 0; churning.get() > 0; i++) { // read for as long as the others churn
                        int k = i % stableKeys;
                        byte[] key = stable[k];
                        long mark;
                        switch (i % 3) {
                            case 0 -> {
                                if (marks.observe(0, key, 0, key.length, i) == Observation.NEW) {
                                    throw new AssertionError("stable key " + k + " was missing");
                                }
                                mark = marks.get(0, key, 0, key.length);
                                if (mark < i) {
                                    throw new AssertionError("stable key " + k + ": mark " + mark + " < " + i);
                                }
                            }
                            case 1 -> {
                                if (!marks.contains(0, ByteBuffer.wrap(key))) {
                                    throw new AssertionError("stable key " + k + " not contained");
                                }
                                mark = marks.get(0, ByteBuffer.wrap(key));
                            }
                            default -> mark = marks.get(0, key, 0, key.length);
                        }
                        if (mark == HighWaterMarks.NO_MARK || mark < seen[k]) {
                            throw new AssertionError("stable key " + k + ": mark " + mark + " after " + seen[k]);
                        }
                        seen[k] = mark;
                    }
                }
                return null;
            });
            assertThat(marks.size()).as("round %d: only the stable keys are left", round).isEqualTo(stableKeys);
            assertThat(marks.evictions()).isZero();
        }
    }

    /**
     * Raises of the same keys race with each other and with the doublings that new keys cause: the mark
     * ends at the highest version offered, each key is NEW exactly once, and every ADVANCED result was
     * really above the mark (the number of distinct raises cannot exceed the versions offered).
     */
    @Test
    void racingRaisesKeepTheMaximumWhileSegmentsDouble() throws Exception {
        int shared = 32;
        int operations = 20_000;
        HighWaterMarks marks = new HighWaterMarks(1 << 16);
        byte[][] keys = new byte[shared][];
        for (int k = 0; k < shared; k++) {
            keys[k] = ("shared:" + k + ":" + "x".repeat(k)).getBytes(StandardCharsets.UTF_8); // inline and tail keys
        }
        AtomicIntegerArray newCounts = new AtomicIntegerArray(shared);
        AtomicLong[] offered = new AtomicLong[shared];
        for (int k = 0; k < shared; k++) {
            offered[k] = new AtomicLong(Long.MIN_VALUE);
        }
        runConcurrently(thread -> () -> {
            java.util.Random random = new java.util.Random(thread);
            for (int i = 0; i < operations; i++) {
                int k = random.nextInt(shared);
                long version = random.nextInt(1_000_000);
                offered[k].accumulateAndGet(version, Math::max);
                if (marks.observe(0, keys[k], 0, keys[k].length, version) == Observation.NEW) {
                    newCounts.incrementAndGet(k);
                }
                if ((i & 7) == 0) { // a new key now and then: segments keep doubling
                    byte[] other = ("other:" + thread + ":" + i).getBytes(StandardCharsets.UTF_8);
                    marks.observe(0, other, 0, other.length, i);
                }
            }
            return null;
        });
        for (int k = 0; k < shared; k++) {
            assertThat(marks.get(0, keys[k], 0, keys[k].length)).as("mark of shared key %d", k)
                    .isEqualTo(offered[k].get());
            assertThat(newCounts.get(k)).as("NEW results for shared key %d", k).isEqualTo(1);
        }
        assertThat(marks.evictions()).isZero();
    }

    /** reset and remove race with lock-free raises: afterwards a raise of the key behaves as on a fresh mark. */
    @Test
    void resetsAndRemovesRacingWithRaisesLeaveAConsistentMark() throws Exception {
        HighWaterMarks marks = new HighWaterMarks(64);
        byte[] key = "contended".getBytes(StandardCharsets.UTF_8);
        runConcurrently(thread -> () -> {
            for (int i = 0; i < 20_000; i++) {
                switch (thread) {
                    case 0 -> {
                        if (i % 50 == 0) {
                            marks.remove(0, key, 0, key.length);
                        }
                    }
                    case 1 -> marks.reset(0, key, 0, key.length, -i);
                    default -> marks.observe(0, key, 0, key.length, i);
                }
            }
            return null;
        });
        marks.reset(0, key, 0, key.length, 10);
        assertThat(marks.observe(0, key, 0, key.length, 9)).isEqualTo(Observation.REGRESSED);
        assertThat(marks.observe(0, key, 0, key.length, 11)).isEqualTo(Observation.ADVANCED);
        assertThat(marks.get(0, key, 0, key.length)).isEqualTo(11);
        assertThat(marks.size()).isOne();
        assertThat(marks.remove(0, key, 0, key.length)).isTrue();
        assertThat(marks.size()).isZero();
    }

    private static final long REMOVED = Long.MIN_VALUE + 1;
    private static final long NEVER = Long.MIN_VALUE + 2;

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
