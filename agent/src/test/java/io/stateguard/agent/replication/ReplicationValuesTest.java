package io.stateguard.agent.replication;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replication package's small value types: what they equal, hash and print as. */
class ReplicationValuesTest {

    @Test
    void endpointsAreEqualByHostAndPort() {
        Endpoint a = new Endpoint("127.0.0.1", 6379);
        assertThat(a).isEqualTo(new Endpoint("127.0.0.1", 6379)).hasSameHashCodeAs(new Endpoint("127.0.0.1", 6379));
        assertThat(a).isNotEqualTo(new Endpoint("127.0.0.1", 6380)).isNotEqualTo(new Endpoint("127.0.0.2", 6379))
                .isNotEqualTo("127.0.0.1:6379");
        assertThat(a.hashCode()).isNotEqualTo(new Endpoint("127.0.0.1", 6380).hashCode())
                .isEqualTo("127.0.0.1".hashCode() * 31 + 6379);
        assertThat(a.host()).isEqualTo("127.0.0.1");
        assertThat(a.port()).isEqualTo(6379);
        assertThat(a).hasToString("127.0.0.1:6379");
        assertThat(new Endpoint("::1", 6379)).hasToString("[::1]:6379");
        assertThat(new Endpoint("a:b", 1)).as("a colon anywhere is IPv6").hasToString("[a:b]:1");
        assertThatThrownBy(() -> new Endpoint("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Endpoint(null, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replicationInfoPrintsWhatItRead() {
        assertThat(ReplicationInfo.parse(InfoTexts.replica("id", 7, false))).hasToString("REPLICA{replid=id, offset=7, link=down}");
        assertThat(ReplicationInfo.parse(InfoTexts.replica("id", 7, true))).hasToString("REPLICA{replid=id, offset=7, link=up}");
        assertThat(ReplicationInfo.parse(InfoTexts.primary("id", 9))).hasToString("PRIMARY{replid=id, offset=9}");
        assertThat(ReplicationInfo.parse("role:master\r\nmaster_repl_offset:12345678901\r\n").offset())
                .isEqualTo(12345678901L);
        assertThat(ReplicationInfo.parse("role:replica\nslave_repl_offset:5\nmaster_link_status:up").offset())
                .as("role:replica, last line without a line end").isEqualTo(5);
        assertThat(ReplicationInfo.parse(":x\r\nrole:master\r\n").role()).as("a line starting with a colon")
                .isEqualTo(ReplicationInfo.Role.PRIMARY);
        assertThat(ReplicationInfo.parse("role\r\nmaster_replid:\r\n").replicationId()).isNull();
        assertThat(ReplicationInfo.parse("r:x\nrole:master\n").role()).isEqualTo(ReplicationInfo.Role.PRIMARY);
    }

    @Test
    void shardNodesKnowTheirIdentityAndPrintTheirNodes() {
        Endpoint primary = new Endpoint("h", 1);
        Endpoint replica = new Endpoint("h", 2);
        assertThat(new ShardNodes(primary, Collections.<Endpoint>emptyList(), null).identity()).isZero();
        assertThat(new ShardNodes(primary, Collections.<Endpoint>emptyList(), new int[0]).identity()).isZero();
        assertThat(new ShardNodes(primary, Collections.<Endpoint>emptyList(), new int[] {9, 3, 7}).identity())
                .as("the lowest slot").isEqualTo(3);
        assertThat(new ShardNodes(primary, Collections.<Endpoint>emptyList(), null)).hasToString("primary h:1");
        assertThat(new ShardNodes(primary, Arrays.asList(replica), null)).hasToString("primary h:1, replicas [h:2]");
        assertThatThrownBy(() -> new ShardNodes(null, Collections.<Endpoint>emptyList(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aShardViewPrintsItsState() {
        ShardReplication shard = new ShardReplication();
        Endpoint primary = new Endpoint("h", 1);
        Endpoint replica = new Endpoint("h", 2);
        ShardView view = shard.update(primary, new Sample(ReplicationInfo.parse(InfoTexts.primary("id", 5)), 10, 11),
                Arrays.asList(replica), new Sample[] {new Sample(ReplicationInfo.parse(InfoTexts.replica("id", 5, true)),
                        10, 12)}, 12, 100, (node, before, after) -> { });
        assertThat(view.toString()).contains("primary=h:1", "replid=id", "replicas=[h:2]", "applied=[5]",
                "usable=[true]", "complete=true");
        assertThat(shard.replicationId()).isEqualTo("id");
        assertThat(view.primary()).isEqualTo(primary);
    }
}
