package io.stateguard.agent.replication;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicationInfoTest {

    @Test
    void aPrimaryReportsItsReplicationIdAndOffset() {
        ReplicationInfo info = ReplicationInfo.parse(InfoTexts.primary(InfoTexts.ID_A, 4711));
        assertThat(info.role()).isEqualTo(ReplicationInfo.Role.PRIMARY);
        assertThat(info.replicationId()).isEqualTo(InfoTexts.ID_A);
        assertThat(info.offset()).isEqualTo(4711);
        assertThat(info.linkUp()).isTrue();
    }

    @Test
    void aReplicaReportsTheOffsetItApplied_notTheOneItReceived() {
        ReplicationInfo info = ReplicationInfo.parse(InfoTexts.replica(InfoTexts.ID_A, 300, true));
        assertThat(info.role()).isEqualTo(ReplicationInfo.Role.REPLICA);
        assertThat(info.offset()).as("slave_repl_offset, not slave_read_repl_offset (400)").isEqualTo(300);
        assertThat(info.replicationId()).isEqualTo(InfoTexts.ID_A);
        assertThat(info.linkUp()).isTrue();
        assertThat(ReplicationInfo.parse(InfoTexts.replica(InfoTexts.ID_A, 300, false)).linkUp()).isFalse();
    }

    @Test
    void unixLineEndsAndMissingFieldsAreRead() {
        ReplicationInfo info = ReplicationInfo.parse("role:master\nmaster_replid:abc\n");
        assertThat(info.role()).isEqualTo(ReplicationInfo.Role.PRIMARY);
        assertThat(info.replicationId()).isEqualTo("abc");
        assertThat(info.offset()).isEqualTo(-1);

        ReplicationInfo garbage = ReplicationInfo.parse("role:sentinel\r\nmaster_repl_offset:x\r\n");
        assertThat(garbage.role()).isEqualTo(ReplicationInfo.Role.UNKNOWN);
        assertThat(garbage.offset()).isEqualTo(-1);
        assertThat(ReplicationInfo.parse(null).role()).isEqualTo(ReplicationInfo.Role.UNKNOWN);
        assertThat(ReplicationInfo.parse("").replicationId()).isNull();
    }
}
