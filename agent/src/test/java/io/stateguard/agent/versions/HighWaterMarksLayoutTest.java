package io.stateguard.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Keys as an entry holds them: the first {@value HighWaterMarks#INLINE_BYTES} bytes as four 8-byte
 * words, zero-padded, and any further bytes in a tail array. Keys that differ in any single byte, in
 * length only (trailing zero bytes), or only after the inline words are different keys, in every
 * byte form and buffer byte order.
 */
class HighWaterMarksLayoutTest {

    private static final int MAX_LENGTH = 3 * HighWaterMarks.INLINE_BYTES;

    private static ByteBuffer direct(byte[] key, ByteOrder order) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(key.length + 11).order(order);
        buffer.position(3);
        buffer.put(key);
        buffer.position(3).limit(3 + key.length);
        return buffer;
    }

    /** A read-only heap buffer (no accessible array) with a position inside a larger buffer. */
    private static ByteBuffer readOnly(byte[] key, ByteOrder order) {
        byte[] backing = new byte[key.length + 9];
        Arrays.fill(backing, (byte) 0x7F);
        System.arraycopy(key, 0, backing, 4, key.length);
        ByteBuffer buffer = ByteBuffer.wrap(backing).asReadOnlyBuffer().order(order);
        buffer.position(4).limit(4 + key.length);
        return buffer;
    }

    @Test
    void keysDifferingInOneByteAnywhereAreDifferentKeys() {
        Random random = new Random(42);
        for (int length = 1; length <= MAX_LENGTH; length++) {
            byte[] base = new byte[length];
            random.nextBytes(base);
            HighWaterMarks marks = new HighWaterMarks(4 * MAX_LENGTH);
            assertThat(marks.observe(0, base, 0, length, -1)).isEqualTo(Observation.NEW);
            List<byte[]> variants = new ArrayList<>();
            for (int p = 0; p < length; p++) {
                byte[] variant = base.clone();
                variant[p] ^= (byte) (1 << (p & 7)); // one bit, at a different place in each byte
                variants.add(variant);
                assertThat(marks.observe(0, variant, 0, length, p)).as("length %d, byte %d", length, p)
                        .isEqualTo(Observation.NEW);
            }
            assertThat(marks.size()).isEqualTo(length + 1);
            assertThat(marks.get(0, base, 0, length)).isEqualTo(-1);
            for (int p = 0; p < length; p++) {
                byte[] variant = variants.get(p);
                String what = "length " + length + ", byte " + p;
                assertThat(marks.get(0, variant, 0, length)).as(what).isEqualTo(p);
                assertThat(marks.get(0, direct(variant, ByteOrder.BIG_ENDIAN))).as(what).isEqualTo(p);
                assertThat(marks.get(0, direct(variant, ByteOrder.LITTLE_ENDIAN))).as(what).isEqualTo(p);
                assertThat(marks.get(0, readOnly(variant, ByteOrder.LITTLE_ENDIAN))).as(what).isEqualTo(p);
                assertThat(marks.observe(1, readOnly(variant, ByteOrder.BIG_ENDIAN), p))
                        .as("%s, another database", what).isEqualTo(Observation.NEW);
            }
        }
    }

    @Test
    void trailingZeroBytesMakeALongerKey() {
        HighWaterMarks marks = new HighWaterMarks(1000);
        byte[] zeros = new byte[MAX_LENGTH];
        byte[] k = new byte[MAX_LENGTH];
        k[0] = 'k';
        for (int length = 0; length <= MAX_LENGTH; length++) {
            assertThat(marks.observe(0, zeros, 0, length, length)).as("%d zero bytes", length)
                    .isEqualTo(Observation.NEW);
            if (length > 0) {
                assertThat(marks.observe(0, k, 0, length, length)).as("k and %d zero bytes", length - 1)
                        .isEqualTo(Observation.NEW);
            }
        }
        for (int length = 0; length <= MAX_LENGTH; length++) {
            assertThat(marks.get(0, zeros, 0, length)).isEqualTo(length);
            assertThat(marks.get(0, direct(Arrays.copyOf(zeros, length), ByteOrder.LITTLE_ENDIAN))).isEqualTo(length);
            if (length > 0) {
                assertThat(marks.get(0, k, 0, length)).isEqualTo(length);
            }
        }
        assertThat(marks.size()).isEqualTo(2 * MAX_LENGTH + 1);
    }

    @Test
    void longKeysEqualInTheirInlineBytesDifferByTheirTail() {
        HighWaterMarks marks = new HighWaterMarks(1000);
        byte[] prefix = new byte[HighWaterMarks.INLINE_BYTES];
        Arrays.fill(prefix, (byte) 'p');
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] tail = ("/" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] key = Arrays.copyOf(prefix, prefix.length + tail.length);
            System.arraycopy(tail, 0, key, prefix.length, tail.length);
            keys.add(key);
            assertThat(marks.observe(0, key, 0, key.length, i)).isEqualTo(Observation.NEW);
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            assertThat(marks.get(0, key, 0, key.length)).isEqualTo(i);
            assertThat(marks.get(0, direct(key, ByteOrder.LITTLE_ENDIAN))).isEqualTo(i);
        }
        for (int i = 0; i < keys.size(); i += 2) {
            byte[] key = keys.get(i);
            assertThat(marks.remove(0, readOnly(key, ByteOrder.BIG_ENDIAN))).isTrue();
        }
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            assertThat(marks.contains(0, key, 0, key.length)).as("key %d", i).isEqualTo(i % 2 == 1);
        }
        // The copy of a long key is a copy: changing the caller's tail changes nothing.
        byte[] key = keys.get(1);
        byte[] kept = key.clone();
        key[key.length - 1] = 'X';
        assertThat(marks.get(0, kept, 0, kept.length)).isEqualTo(1);
        assertThat(marks.contains(0, key, 0, key.length)).isFalse();
    }

    @Test
    void theHashIsTheSameForEveryFormOfAKey() {
        Random random = new Random(7);
        for (int length = 0; length <= MAX_LENGTH; length++) {
            byte[] key = new byte[length];
            random.nextBytes(key);
            byte[] padded = new byte[length + 5];
            System.arraycopy(key, 0, padded, 2, length);
            int hash = HighWaterMarks.hash(3, key, null, 0, length);
            assertThat(HighWaterMarks.hash(3, padded, null, 2, length)).isEqualTo(hash);
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer d = direct(key, order);
                assertThat(HighWaterMarks.hash(3, null, d, d.position(), length)).isEqualTo(hash);
                ByteBuffer r = readOnly(key, order);
                assertThat(HighWaterMarks.hash(3, null, r, r.position(), length)).isEqualTo(hash);
            }
            assertThat(HighWaterMarks.hash(4, key, null, 0, length)).as("seeded with the database").isNotEqualTo(hash);
        }
    }
}
