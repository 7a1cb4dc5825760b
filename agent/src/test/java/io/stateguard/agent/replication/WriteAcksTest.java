package io.stateguard.agent.replication;

import io.stateguard.agent.keys.KeyHash;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class WriteAcksTest {

    private static long hash(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return KeyHash.of(bytes, 0, bytes.length);
    }

    @Test
    void aKeyRemembersItsNewestAcknowledgement() {
        WriteAcks acks = new WriteAcks();
        assertThat(acks.ackNanos(hash("a"))).isEqualTo(WriteAcks.NEVER);
        acks.acknowledged(hash("a"), 200);
        acks.acknowledged(hash("a"), 100); // replies may be handled out of order: the newest stays
        assertThat(acks.ackNanos(hash("a"))).isEqualTo(200);
        assertThat(acks.newestAckNanos()).isEqualTo(200);
        acks.acknowledged(hash("b"), 300);
        assertThat(acks.newestAckNanos()).isEqualTo(300);
        assertThat(acks.ackNanos(hash("a"))).isEqualTo(200);
    }

    @Test
    void aWriteOfUnknownKeysCountsForEveryKey() {
        WriteAcks acks = new WriteAcks();
        acks.acknowledged(hash("a"), 100);
        acks.acknowledgedAnyKey(150);
        assertThat(acks.ackNanos(hash("a"))).isEqualTo(150);
        assertThat(acks.ackNanos(hash("never-written"))).isEqualTo(150);
        acks.acknowledged(hash("a"), 180);
        assertThat(acks.ackNanos(hash("a"))).isEqualTo(180);
    }

    @Test
    void timesAreComparedAsNanoTimeIsAndZeroIsNotLost() {
        WriteAcks acks = new WriteAcks();
        acks.acknowledged(hash("z"), 0);
        assertThat(acks.ackNanos(hash("z"))).as("a write at nanoTime 0 is still a write").isNotEqualTo(WriteAcks.NEVER);
        acks.acknowledged(hash("n"), -50);
        acks.acknowledged(hash("n"), -100);
        assertThat(acks.ackNanos(hash("n"))).isEqualTo(-50);
    }

    @Test
    void hashesThatDifferOnlyInHighBitsKeepApart() {
        WriteAcks acks = new WriteAcks();
        acks.acknowledged((1L << 40) | 5, 100);
        assertThat(acks.ackNanos((2L << 40) | 5)).isEqualTo(WriteAcks.NEVER);
        assertThat(acks.ackNanos((1L << 50) | 5)).isEqualTo(WriteAcks.NEVER);
        assertThat(acks.ackNanos((1L << 40) | 5)).isEqualTo(100);
    }

    @Test
    void aWriteOfUnknownKeysIsTheNewestToo() {
        WriteAcks acks = new WriteAcks();
        acks.acknowledged(hash("a"), 100);
        acks.acknowledgedAnyKey(300);
        assertThat(acks.newestAckNanos()).isEqualTo(300);
        acks.acknowledgedAnyKey(200);
        assertThat(acks.ackNanos(hash("b"))).as("the newest unknown write stays").isEqualTo(300);
    }
}
