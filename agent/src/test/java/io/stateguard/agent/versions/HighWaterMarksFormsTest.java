package io.stateguard.agent.versions;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every operation through each key form (array slice, heap buffer at an offset, direct buffer), on
 * keys of 0 to 9 bytes (a partial 8-byte word, a whole one, one and a bit; longer keys and buffer byte
 * orders are in {@code HighWaterMarksLayoutTest}): a key is the same key whichever form it comes in.
 */
class HighWaterMarksFormsTest {

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The key inside an array with other bytes around it. */
    private static byte[] padded(byte[] key) {
        byte[] padded = new byte[key.length + 6];
        padded[0] = 'x';
        padded[1] = 'y';
        padded[2] = 'z';
        System.arraycopy(key, 0, padded, 3, key.length);
        padded[padded.length - 3] = 'q';
        return padded;
    }

    private static ByteBuffer heap(byte[] key) {
        ByteBuffer buffer = ByteBuffer.wrap(padded(key), 3, key.length).slice(); // non-zero array offset
        return buffer;
    }

    private static ByteBuffer direct(byte[] key) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(key.length + 5);
        buffer.put(new byte[] {'a', 'b'}).put(key).put(new byte[] {'c', 'd', 'e'});
        buffer.position(2).limit(2 + key.length);
        return buffer;
    }

    @Test
    void eachFormFindsTheMarkAnotherFormSet() {
        for (int length = 0; length <= 9; length++) {
            byte[] key = bytes("k-12345678".substring(0, length));
            HighWaterMarks marks = new HighWaterMarks(100);
            String name = "length " + length;
            assertThat(marks.observe(1, direct(key), 10)).as(name).isEqualTo(Observation.NEW);
            assertThat(marks.get(1, key, 0, key.length)).as(name).isEqualTo(10);
            assertThat(marks.get(1, padded(key), 3, key.length)).as(name).isEqualTo(10);
            assertThat(marks.get(1, heap(key))).as(name).isEqualTo(10);
            assertThat(marks.contains(1, heap(key))).as(name).isTrue();
            assertThat(marks.contains(1, direct(key))).as(name).isTrue();
            assertThat(marks.contains(1, padded(key), 3, key.length)).as(name).isTrue();
            assertThat(marks.contains(2, direct(key))).as("another database").isFalse();

            assertThat(marks.observe(1, heap(key), 12)).as(name).isEqualTo(Observation.ADVANCED);
            assertThat(marks.observe(1, padded(key), 3, key.length, 12)).as(name).isEqualTo(Observation.EQUAL);
            assertThat(marks.observe(1, direct(key), 11)).as(name).isEqualTo(Observation.REGRESSED);
            assertThat(marks.get(1, direct(key))).as(name).isEqualTo(12);

            marks.reset(1, heap(key), 5);
            assertThat(marks.get(1, key, 0, key.length)).as(name).isEqualTo(5);
            marks.reset(1, direct(key), 4);
            assertThat(marks.get(1, heap(key))).as(name).isEqualTo(4);
            marks.reset(1, padded(key), 3, key.length, 3);
            assertThat(marks.get(1, direct(key))).as(name).isEqualTo(3);

            assertThat(marks.remove(1, direct(key))).as(name).isTrue();
            assertThat(marks.remove(1, heap(key))).as(name).isFalse();
            assertThat(marks.contains(1, key, 0, key.length)).as(name).isFalse();
            assertThat(marks.get(1, direct(key))).as(name).isEqualTo(HighWaterMarks.NO_MARK);
            marks.reset(1, direct(key), 8); // reset of an absent key creates it
            assertThat(marks.remove(1, heap(key))).as(name).isTrue();
            marks.observe(1, key, 0, key.length, 1);
            assertThat(marks.remove(1, padded(key), 3, key.length)).as(name).isTrue();
            assertThat(marks.size()).as(name).isZero();
        }
    }

    @Test
    void keysThatDifferInOneByteOfTheTailAreDifferentKeys() {
        HighWaterMarks marks = new HighWaterMarks(1000);
        byte[] base = bytes("abcdefghijk"); // 11 bytes: two blocks and a 3-byte tail
        int version = 0;
        for (int i = 0; i < base.length; i++) {
            for (int delta : new int[] {1, 0x80}) {
                byte[] other = base.clone();
                other[i] = (byte) (other[i] ^ delta);
                assertThat(marks.observe(0, direct(other), ++version)).as("byte %d ^ %d", i, delta).isEqualTo(Observation.NEW);
                assertThat(marks.get(0, other, 0, other.length)).isEqualTo(version);
            }
        }
        assertThat(marks.contains(0, base, 0, base.length)).isFalse();
        assertThat(marks.size()).isEqualTo(2 * base.length);
    }

    @Test
    void sizeAndBoundArguments() {
        assertThat(new HighWaterMarks(1).maxTrackedKeys()).isEqualTo(1);
        assertThat(new HighWaterMarks().maxTrackedKeys()).isEqualTo(HighWaterMarks.DEFAULT_MAX_TRACKED_KEYS);
        assertThat(new HighWaterMarks(HighWaterMarks.MAX_TRACKED_KEYS_LIMIT).maxTrackedKeys())
                .isEqualTo(HighWaterMarks.MAX_TRACKED_KEYS_LIMIT);
        assertThatThrownBy(() -> new HighWaterMarks(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTrackedKeys must be between 1 and 536870912, not 0");
        assertThatThrownBy(() -> new HighWaterMarks(HighWaterMarks.MAX_TRACKED_KEYS_LIMIT + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTrackedKeys must be between 1 and 536870912, not 536870913");
    }

    @Test
    void arraySlicesOutsideTheArrayAreRejected() {
        HighWaterMarks marks = new HighWaterMarks(10);
        byte[] key = bytes("abc");
        for (int[] bad : new int[][] {{-1, 2}, {0, -1}, {1, 3}, {4, 0}}) {
            String name = bad[0] + "," + bad[1];
            assertThatThrownBy(() -> marks.get(0, key, bad[0], bad[1])).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("offset " + bad[0] + ", length " + bad[1] + ", array length 3");
            assertThatThrownBy(() -> marks.contains(0, key, bad[0], bad[1])).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.observe(0, key, bad[0], bad[1], 1)).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.reset(0, key, bad[0], bad[1], 1)).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.remove(0, key, bad[0], bad[1])).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.observe(0, key, bad[0], bad[1], 1, (short) 1)).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.reset(0, key, bad[0], bad[1], 1, (short) 1)).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> marks.tag(0, key, bad[0], bad[1])).as(name)
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(marks.observe(0, key, 3, 0, 1)).as("an empty slice at the end is a key").isEqualTo(Observation.NEW);
        assertThat(marks.size()).isEqualTo(1);
    }

    @Test
    void aFullTableOfOneKeyEvictsTheOldOne() {
        HighWaterMarks marks = new HighWaterMarks(1);
        marks.observe(0, bytes("a"), 0, 1, 1);
        assertThat(marks.observe(0, direct(bytes("b")), 2)).isEqualTo(Observation.NEW);
        assertThat(marks.size()).isEqualTo(1);
        assertThat(marks.evictions()).isEqualTo(1);
        assertThat(marks.get(0, direct(bytes("b")))).isEqualTo(2);
        assertThat(marks.contains(0, bytes("a"), 0, 1)).isFalse();
    }

    /** A heap buffer with both a non-zero array offset and a non-zero position: the key starts at their sum. */
    private static ByteBuffer offsetAndPosition(byte[] key) {
        byte[] backing = new byte[key.length + 9];
        java.util.Arrays.fill(backing, (byte) 'k');
        System.arraycopy(key, 0, backing, 5, key.length);
        ByteBuffer buffer = ByteBuffer.wrap(backing, 2, backing.length - 2).slice(); // array offset 2
        buffer.position(3).limit(3 + key.length); // array index 5
        return buffer;
    }

    @Test
    void heapBuffersWithAnOffsetAndAPositionAddressTheRightBytes() {
        HighWaterMarks marks = new HighWaterMarks(100);
        marks.observe(0, bytes("user:1"), 0, 6, 7);
        assertThat(marks.get(0, offsetAndPosition(bytes("user:1")))).isEqualTo(7);
        assertThat(marks.contains(0, offsetAndPosition(bytes("user:1")))).isTrue();
        assertThat(marks.contains(0, offsetAndPosition(bytes("user:2")))).isFalse();
        assertThat(marks.contains(0, heap(bytes("user:2")))).isFalse();
        marks.reset(0, offsetAndPosition(bytes("user:1")), 3);
        assertThat(marks.get(0, bytes("user:1"), 0, 6)).isEqualTo(3);
        marks.reset(0, offsetAndPosition(bytes("user:3")), 4);
        assertThat(marks.get(0, bytes("user:3"), 0, 6)).isEqualTo(4);
        assertThat(marks.remove(0, offsetAndPosition(bytes("user:1")))).isTrue();
        assertThat(marks.contains(0, bytes("user:1"), 0, 6)).isFalse();
        assertThat(marks.remove(0, offsetAndPosition(bytes("user:1")))).isFalse();
        assertThat(marks.remove(0, direct(bytes("user:1")))).as("absent, direct").isFalse();
        assertThat(marks.remove(0, direct(bytes("user:3")))).isTrue();
        assertThat(marks.remove(0, direct(bytes("user:3")))).isFalse();
    }

    /**
     * The bound of 3 is one segment. Keys a, b, c, then d: d evicts one of a, b, c (all marked used
     * when inserted, so the hand clears them all first); the two left are unused now. Returns them.
     */
    private static byte[][] twoUnusedKeys(HighWaterMarks marks) {
        for (String key : new String[] {"a", "b", "c", "d"}) {
            marks.observe(0, bytes(key), 0, 1, 1);
        }
        byte[][] left = new byte[2][];
        int n = 0;
        for (String key : new String[] {"a", "b", "c"}) {
            if (marks.contains(0, bytes(key), 0, 1)) { // contains does not mark a key used
                left[n++] = bytes(key);
            }
        }
        assertThat(n).isEqualTo(2);
        return left;
    }

    /**
     * Second chance: a key read (get), observed again or reset since the last sweep is kept when a new key
     * needs room, and the unused one goes; tried with each of the two unused keys, so that the hand's order
     * cannot make the answer right by chance.
     */
    @Test
    void aKeyUsedSinceTheLastSweepIsNotEvicted() {
        for (int way = 0; way < 3; way++) {
            for (int keep = 0; keep < 2; keep++) {
                HighWaterMarks marks = new HighWaterMarks(3);
                byte[][] left = twoUnusedKeys(marks);
                byte[] used = left[keep];
                byte[] unused = left[1 - keep];
                if (way == 0) {
                    assertThat(marks.get(0, used, 0, 1)).isEqualTo(1);
                } else if (way == 1) {
                    assertThat(marks.observe(0, used, 0, 1, 1)).isEqualTo(Observation.EQUAL);
                } else {
                    marks.reset(0, used, 0, 1, 1);
                }
                marks.observe(0, bytes("e"), 0, 1, 1);
                String what = "way " + way + ", kept " + new String(used, StandardCharsets.UTF_8);
                assertThat(marks.contains(0, used, 0, 1)).as(what).isTrue();
                assertThat(marks.contains(0, unused, 0, 1)).as(what).isFalse();
                assertThat(marks.contains(0, bytes("d"), 0, 1)).as(what + ": d, used when inserted").isTrue();
                assertThat(marks.contains(0, bytes("e"), 0, 1)).as(what).isTrue();
            }
        }
    }
}
