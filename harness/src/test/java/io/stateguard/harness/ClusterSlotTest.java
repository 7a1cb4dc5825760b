package io.stateguard.harness;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Pure unit tests of the slot computation; {@link ClusterTopologyTest} compares it with CLUSTER KEYSLOT. */
class ClusterSlotTest {

    @Test
    void crc16IsXmodem() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(ClusterTopology.crc16(check, 0, check.length)).isEqualTo(0x31C3); // the standard check value
    }

    @Test
    void hashTagSelectsTheHashedPart() {
        // Examples of the Redis Cluster specification.
        assertThat(ClusterTopology.slotOf("{user1000}.following"))
                .isEqualTo(ClusterTopology.slotOf("{user1000}.followers"))
                .isEqualTo(ClusterTopology.slotOf("user1000"));
        assertThat(ClusterTopology.slotOf("foo{}{bar}")).as("empty tag: whole key hashed")
                .isEqualTo(crcSlot("foo{}{bar}"));
        assertThat(ClusterTopology.slotOf("foo{{bar}}zap")).isEqualTo(ClusterTopology.slotOf("{bar"));
        assertThat(ClusterTopology.slotOf("foo{bar}{zap}")).isEqualTo(ClusterTopology.slotOf("bar"));
        assertThat(ClusterTopology.slotOf("no-closing{brace")).isEqualTo(crcSlot("no-closing{brace"));
    }

    @Test
    void slotsAreInRange() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(ClusterTopology.slotOf("key:" + i)).isBetween(0, ClusterTopology.SLOTS - 1);
        }
    }

    @Test
    void slotsAreSplitLikeRedisCli() {
        assertThat(ClusterTopology.firstSlot(0, 3)).isZero();
        assertThat(ClusterTopology.firstSlot(1, 3)).isEqualTo(5461);
        assertThat(ClusterTopology.firstSlot(2, 3)).isEqualTo(10923);
        assertThat(ClusterTopology.firstSlot(3, 3)).isEqualTo(ClusterTopology.SLOTS);
    }

    private static int crcSlot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return ClusterTopology.crc16(bytes, 0, bytes.length) & 16383;
    }
}
