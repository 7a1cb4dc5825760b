package io.stateguard.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HighWaterMarksTest {

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Observation observe(HighWaterMarks marks, int db, String key, long version) {
        byte[] bytes = key(key);
        return marks.observe(db, bytes, 0, bytes.length, version);
    }

    private static long get(HighWaterMarks marks, int db, String key) {
        byte[] bytes = key(key);
        return marks.get(db, bytes, 0, bytes.length);
    }

    private static boolean contains(HighWaterMarks marks, int db, String key) {
        byte[] bytes = key(key);
        return marks.contains(db, bytes, 0, bytes.length);
    }

    @Test
    void aTagDescribesTheFirstSightingOfTheMarksVersion() {
        HighWaterMarks marks = new HighWaterMarks(100);
        byte[] k = key("tagged");
        assertThat(marks.tag(0, k, 0, k.length)).as("no mark").isZero();
        assertThat(marks.observe(0, k, 0, k.length, 5, (short) 3)).isEqualTo(Observation.NEW);
        assertThat(marks.tag(0, k, 0, k.length)).isEqualTo((short) 3);
        marks.observe(0, k, 0, k.length, 5, (short) 4);
        assertThat(marks.tag(0, k, 0, k.length)).as("an equal sighting keeps it").isEqualTo((short) 3);
        marks.observe(0, k, 0, k.length, 4, (short) 5);
        assertThat(marks.tag(0, k, 0, k.length)).as("an older one never changes it").isEqualTo((short) 3);
        marks.observe(0, k, 0, k.length, 6, (short) 6);
        assertThat(marks.tag(0, k, 0, k.length)).as("a newer version is a new first sighting").isEqualTo((short) 6);
        marks.reset(0, k, 0, k.length, 2, (short) -32768);
        assertThat(marks.tag(0, k, 0, k.length)).isEqualTo((short) -32768);
        marks.observe(0, k, 0, k.length, 2, (short) 7);
        assertThat(marks.tag(0, k, 0, k.length)).as("a negative tag is provisional: an equal sighting replaces it")
                .isEqualTo((short) 7);
        marks.reset(0, k, 0, k.length, 2);
        assertThat(marks.tag(0, k, 0, k.length)).as("an untagged reset clears it").isZero();
        marks.observe(0, k, 0, k.length, 2, (short) 8);
        assertThat(marks.tag(0, k, 0, k.length)).as("so does a zero tag").isEqualTo((short) 8);
        marks.remove(0, k, 0, k.length);
        marks.reset(0, k, 0, k.length, 1, (short) 9);
        assertThat(marks.tag(0, k, 0, k.length)).as("a reset of an absent key creates it tagged").isEqualTo((short) 9);
    }

    @Test
    void observeReportsHowAVersionComparesWithTheMark() {
        HighWaterMarks marks = new HighWaterMarks();
        assertThat(get(marks, 0, "state:1")).isEqualTo(HighWaterMarks.NO_MARK);
        assertThat(observe(marks, 0, "state:1", 5)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, 0, "state:1", 5)).isEqualTo(Observation.EQUAL);
        assertThat(observe(marks, 0, "state:1", 7)).isEqualTo(Observation.ADVANCED);
        assertThat(get(marks, 0, "state:1")).isEqualTo(7);
        assertThat(observe(marks, 0, "state:1", 6)).isEqualTo(Observation.REGRESSED);
        assertThat(get(marks, 0, "state:1")).as("a regression leaves the mark").isEqualTo(7);
        assertThat(observe(marks, 0, "state:1", Long.MIN_VALUE)).isEqualTo(Observation.REGRESSED);
        assertThat(observe(marks, 0, "state:1", Long.MAX_VALUE)).isEqualTo(Observation.ADVANCED);
        assertThat(marks.size()).isEqualTo(1);
    }

    @Test
    void negativeAndExtremeVersionsAreOrdinaryVersions() {
        HighWaterMarks marks = new HighWaterMarks();
        assertThat(observe(marks, 0, "k", -10)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, 0, "k", -11)).isEqualTo(Observation.REGRESSED);
        assertThat(observe(marks, 0, "k", -9)).isEqualTo(Observation.ADVANCED);
        assertThat(observe(marks, 0, "min", Long.MIN_VALUE)).isEqualTo(Observation.NEW);
        assertThat(contains(marks, 0, "min")).isTrue();
        assertThat(get(marks, 0, "min")).as("indistinguishable from no mark, by design").isEqualTo(HighWaterMarks.NO_MARK);
        assertThat(observe(marks, 0, "min", Long.MIN_VALUE)).isEqualTo(Observation.EQUAL);
    }

    @Test
    void databasesAreSeparateKeySpaces() {
        HighWaterMarks marks = new HighWaterMarks();
        assertThat(observe(marks, 0, "state:1", 5)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, 1, "state:1", 3)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, 15, "state:1", 9)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, -1, "state:1", 1)).isEqualTo(Observation.NEW);
        assertThat(get(marks, 0, "state:1")).isEqualTo(5);
        assertThat(get(marks, 1, "state:1")).isEqualTo(3);
        assertThat(get(marks, 15, "state:1")).isEqualTo(9);
        assertThat(get(marks, 2, "state:1")).isEqualTo(HighWaterMarks.NO_MARK);
        assertThat(marks.size()).isEqualTo(4);
    }

    @Test
    void resetSetsTheMarkExactly() {
        HighWaterMarks marks = new HighWaterMarks();
        observe(marks, 0, "k", 10);
        byte[] k = key("k");
        marks.reset(0, k, 0, 1, 4);
        assertThat(get(marks, 0, "k")).isEqualTo(4);
        assertThat(observe(marks, 0, "k", 5)).isEqualTo(Observation.ADVANCED);
        marks.reset(0, k, 0, 1, 100);
        assertThat(get(marks, 0, "k")).isEqualTo(100);
        marks.reset(3, k, 0, 1, 1);
        assertThat(get(marks, 3, "k")).isEqualTo(1);
        assertThat(marks.size()).isEqualTo(2);
    }

    @Test
    void removeAndClear() {
        HighWaterMarks marks = new HighWaterMarks();
        for (int i = 0; i < 1000; i++) {
            observe(marks, 0, "k" + i, i);
        }
        assertThat(marks.size()).isEqualTo(1000);
        byte[] k5 = key("k5");
        assertThat(marks.remove(0, k5, 0, k5.length)).isTrue();
        assertThat(marks.remove(0, k5, 0, k5.length)).isFalse();
        assertThat(marks.remove(1, key("k6"), 0, 2)).isFalse();
        assertThat(marks.size()).isEqualTo(999);
        assertThat(observe(marks, 0, "k5", 1)).isEqualTo(Observation.NEW);
        for (int i = 0; i < 1000; i++) {
            assertThat(get(marks, 0, "k" + i)).isEqualTo(i == 5 ? 1 : i);
        }
        marks.clear();
        assertThat(marks.size()).isZero();
        assertThat(get(marks, 0, "k7")).isEqualTo(HighWaterMarks.NO_MARK);
        assertThat(observe(marks, 0, "k7", 1)).isEqualTo(Observation.NEW);
    }

    @Test
    void arrayRangesAndBuffersAddressTheSameKey() {
        HighWaterMarks marks = new HighWaterMarks();
        byte[] padded = key("xxstate:42yy");
        assertThat(marks.observe(0, padded, 2, 8, 1)).isEqualTo(Observation.NEW);

        ByteBuffer heap = ByteBuffer.wrap(padded, 2, 8);
        assertThat(marks.observe(0, heap, 2)).isEqualTo(Observation.ADVANCED);
        assertThat(heap.position()).isEqualTo(2);

        ByteBuffer sliced = ByteBuffer.wrap(padded, 2, 8).slice(); // non-zero array offset
        assertThat(marks.get(0, sliced)).isEqualTo(2);

        ByteBuffer direct = ByteBuffer.allocateDirect(12);
        direct.put(padded).position(2).limit(10);
        assertThat(marks.observe(0, direct, 3)).isEqualTo(Observation.ADVANCED);
        assertThat(marks.get(0, direct.asReadOnlyBuffer())).isEqualTo(3);
        assertThat(marks.contains(0, direct)).isTrue();
        marks.reset(0, direct, 1);
        assertThat(get(marks, 0, "state:42")).isEqualTo(1);
        assertThat(direct.position()).isEqualTo(2);
        assertThat(direct.limit()).isEqualTo(10);
        assertThat(marks.remove(0, direct)).isTrue();
        assertThat(marks.size()).isZero();

        // A key inserted from a direct buffer is a copy, not a view.
        direct.put(2, (byte) 'S');
        assertThat(marks.observe(0, direct, 1)).isEqualTo(Observation.NEW);
        direct.put(2, (byte) 's');
        assertThat(get(marks, 0, "State:42")).isEqualTo(1);
        assertThat(get(marks, 0, "state:42")).isEqualTo(HighWaterMarks.NO_MARK);
    }

    @Test
    void keysAreCopiedOnInsert() {
        HighWaterMarks marks = new HighWaterMarks();
        byte[] key = key("state:1");
        marks.observe(0, key, 0, key.length, 1);
        key[0] = 'X';
        assertThat(get(marks, 0, "state:1")).isEqualTo(1);
        assertThat(get(marks, 0, "Xtate:1")).isEqualTo(HighWaterMarks.NO_MARK);
    }

    @Test
    void emptyKeyIsAKey() {
        HighWaterMarks marks = new HighWaterMarks();
        assertThat(marks.observe(0, new byte[0], 0, 0, 1)).isEqualTo(Observation.NEW);
        assertThat(marks.get(0, ByteBuffer.allocate(0))).isEqualTo(1);
    }

    @Test
    void rejectsBadRangesAndBounds() {
        HighWaterMarks marks = new HighWaterMarks();
        assertThatThrownBy(() -> marks.get(0, new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> marks.observe(0, new byte[4], -1, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new HighWaterMarks(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HighWaterMarks(HighWaterMarks.MAX_TRACKED_KEYS_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysWithEqualHashesDoNotCollide() {
        // Find two different keys whose full 32-bit hashes are equal (birthday search).
        Map<Integer, String> seen = new HashMap<>();
        String first = null;
        String second = null;
        for (int i = 0; first == null; i++) {
            String candidate = "evolution:state:" + i;
            byte[] bytes = key(candidate);
            String previous = seen.putIfAbsent(HighWaterMarks.hash(0, bytes, null, 0, bytes.length), candidate);
            if (previous != null) {
                first = previous;
                second = candidate;
            }
        }
        HighWaterMarks marks = new HighWaterMarks();
        assertThat(observe(marks, 0, first, 10)).isEqualTo(Observation.NEW);
        assertThat(observe(marks, 0, second, 20)).isEqualTo(Observation.NEW);
        assertThat(get(marks, 0, first)).isEqualTo(10);
        assertThat(get(marks, 0, second)).isEqualTo(20);
        assertThat(observe(marks, 0, first, 15)).isEqualTo(Observation.ADVANCED);
        assertThat(observe(marks, 0, second, 15)).isEqualTo(Observation.REGRESSED);
        byte[] firstBytes = key(first);
        assertThat(marks.remove(0, firstBytes, 0, firstBytes.length)).isTrue();
        assertThat(get(marks, 0, second)).isEqualTo(20);
        assertThat(get(marks, 0, first)).isEqualTo(HighWaterMarks.NO_MARK);
    }

    /**
     * Random operations against a HashMap model. Each segment's share of the bound exceeds the keys
     * that can land in it, so nothing is evicted; small bounds have one segment filled to 3/4 of its slots.
     */
    @ParameterizedTest
    @CsvSource({"12, 12, 20000", "24, 24, 20000", "100000, 5000, 60000"})
    void behavesLikeAMapWhileBelowTheBound(int bound, int keyCount, int operations) {
        HighWaterMarks marks = new HighWaterMarks(bound);
        Map<String, Long> model = new HashMap<>();
        Random random = new Random(bound);
        for (int op = 0; op < operations; op++) {
            int pair = random.nextInt(keyCount); // keyCount distinct (db, key) pairs
            int db = pair % 3;
            String name = "key:" + pair / 3;
            String modelKey = db + "/" + name;
            byte[] bytes = key(name);
            long version = random.nextInt(50);
            Long mark = model.get(modelKey);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    Observation expected = mark == null ? Observation.NEW
                            : version > mark ? Observation.ADVANCED
                            : version == mark ? Observation.EQUAL : Observation.REGRESSED;
                    assertThat(marks.observe(db, bytes, 0, bytes.length, version)).isEqualTo(expected);
                    if (mark == null || version > mark) {
                        model.put(modelKey, version);
                    }
                }
                case 2 -> assertThat(marks.get(db, bytes, 0, bytes.length))
                        .isEqualTo(mark == null ? HighWaterMarks.NO_MARK : mark);
                case 3 -> {
                    assertThat(marks.remove(db, bytes, 0, bytes.length)).isEqualTo(mark != null);
                    model.remove(modelKey);
                }
                default -> {
                    marks.reset(db, bytes, 0, bytes.length, version);
                    model.put(modelKey, version);
                }
            }
            assertThat(marks.size()).isEqualTo(model.size());
        }
        assertThat(marks.evictions()).isZero();
        for (Map.Entry<String, Long> entry : model.entrySet()) {
            int slash = entry.getKey().indexOf('/');
            assertThat(get(marks, Integer.parseInt(entry.getKey().substring(0, slash)), entry.getKey().substring(slash + 1)))
                    .isEqualTo(entry.getValue());
        }
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @ParameterizedTest
    @CsvSource({"1", "7", "100", "1000", "20000"})
    void neverExceedsTheBound(int bound) {
        HighWaterMarks marks = new HighWaterMarks(bound);
        int inserts = 3 * bound;
        for (int i = 0; i < inserts; i++) {
            assertThat(observe(marks, i % 2, "evolution:state:" + i, i)).isEqualTo(Observation.NEW);
            if (marks.size() > bound) {
                throw new AssertionError("size " + marks.size() + " > bound " + bound + " after " + (i + 1) + " keys");
            }
        }
        assertThat(marks.size()).isEqualTo(bound);
        assertThat(marks.evictions()).isEqualTo(inserts - bound);
        // Whatever survived still has its own mark.
        int found = 0;
        for (int i = 0; i < inserts; i++) {
            long mark = get(marks, i % 2, "evolution:state:" + i);
            if (mark != HighWaterMarks.NO_MARK) {
                assertThat(mark).isEqualTo(i);
                found++;
            }
        }
        assertThat(found).isEqualTo(marks.size());
    }

    @Test
    void theBoundIsForTheWholeTableNotPerSegment() {
        // Keys never spread perfectly evenly over the segments; none may be evicted below the bound.
        int bound = 10_000;
        HighWaterMarks marks = new HighWaterMarks(bound);
        for (int i = 0; i < bound; i++) {
            observe(marks, 0, "evolution:state:" + i, i);
        }
        assertThat(marks.size()).isEqualTo(bound);
        assertThat(marks.evictions()).isZero();
        assertThat(observe(marks, 0, "one:more", 1)).isEqualTo(Observation.NEW);
        assertThat(marks.size()).isEqualTo(bound);
        assertThat(marks.evictions()).isOne();
    }

    @Test
    void aFullTableEvictsFromTheNewKeysSegmentOrLeavesTheKeyUntracked() {
        // A bound of 32 makes two segments, chosen by hash bit 26. Fill the table through segment 0 only.
        HighWaterMarks marks = new HighWaterMarks(32);
        List<String> segment0 = new ArrayList<>();
        List<String> segment1 = new ArrayList<>();
        for (int i = 0; segment0.size() < 40 || segment1.size() < 2; i++) {
            byte[] bytes = key("k" + i);
            ((HighWaterMarks.hash(0, bytes, null, 0, bytes.length) >>> 26 & 1) == 0 ? segment0 : segment1).add("k" + i);
        }
        for (int i = 0; i < 32; i++) {
            assertThat(observe(marks, 0, segment0.get(i), i)).isEqualTo(Observation.NEW);
        }
        assertThat(marks.size()).isEqualTo(32);
        assertThat(marks.evictions()).isZero();

        // Segment 1 is empty: nothing of its own to evict, so the key is not tracked.
        assertThat(observe(marks, 0, segment1.get(0), 1)).isEqualTo(Observation.NEW);
        assertThat(contains(marks, 0, segment1.get(0))).isFalse();
        assertThat(marks.size()).isEqualTo(32);

        // Segment 0 evicts one of its own marks for each new key.
        assertThat(observe(marks, 0, segment0.get(32), 32)).isEqualTo(Observation.NEW);
        assertThat(contains(marks, 0, segment0.get(32))).isTrue();
        assertThat(marks.size()).isEqualTo(32);
        assertThat(marks.evictions()).isOne();

        // Room made anywhere is room for any segment.
        byte[] first = key(segment0.get(0));
        marks.remove(0, first, 0, first.length);
        assertThat(observe(marks, 0, segment1.get(1), 1)).isEqualTo(Observation.NEW);
        assertThat(contains(marks, 0, segment1.get(1))).isTrue();
        assertThat(marks.size()).isEqualTo(32);
        marks.clear();
        assertThat(marks.size()).isZero();
    }

    @Tag("slow") // many random cases or threads: left out of mutation testing (benchmarks/mutation.sh)
    @Test
    void keepsKeysInUseWhileEvictingKeysSeenOnce() {
        int bound = 10_000;
        HighWaterMarks marks = new HighWaterMarks(bound);
        List<String> hot = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            hot.add("hot:" + i);
            observe(marks, 0, "hot:" + i, 1);
        }
        for (int i = 0; i < 3 * bound; i++) {
            observe(marks, 0, "cold:" + i, 1);
            if (i % 500 == 0) {
                for (String key : hot) {
                    observe(marks, 0, key, 1); // the application keeps reading its state keys
                }
            }
        }
        assertThat(marks.size()).isLessThanOrEqualTo(bound);
        assertThat(hot).allMatch(key -> contains(marks, 0, key), "hot key kept");
        long earlyColdKept = 0;
        for (int i = 0; i < bound; i++) {
            if (contains(marks, 0, "cold:" + i)) {
                earlyColdKept++;
            }
        }
        assertThat(earlyColdKept).as("cold keys of the first round still tracked").isLessThan(bound / 10);
    }

    @Test
    void aNewMarkSurvivesTheNextInserts() {
        // A new mark's referenced bit is set: the read right after a write still finds the mark.
        HighWaterMarks marks = new HighWaterMarks(1000);
        for (int i = 0; i < 5000; i++) {
            observe(marks, 0, "fill:" + i, 1);
        }
        for (int i = 0; i < 1000; i++) {
            observe(marks, 0, "written:" + i, 1);
            observe(marks, 0, "other:" + i, 1);
            assertThat(contains(marks, 0, "written:" + i)).isTrue();
        }
    }
}
