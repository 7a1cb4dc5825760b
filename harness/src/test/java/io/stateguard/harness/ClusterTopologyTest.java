package io.stateguard.harness;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** One shared cluster for the read-mostly tests (keys do not overlap); the failover test has its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoStrayProcesses.class)
class ClusterTopologyTest {

    /** The cluster, for the whole class; its logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<ClusterTopology> CLUSTER = RedisTopologyExtension
            .of(() -> ClusterTopology.builder().start());

    @Test
    void convergedWithTheExpectedRolesAndSlots() {
        assertThat(CLUSTER.get().nodes()).hasSize(6);
        for (RedisNode node : CLUSTER.get().nodes()) {
            Map<String, String> info = RedisNode.parseInfo((String) node.command("CLUSTER", "INFO"));
            assertThat(info).containsEntry("cluster_state", "ok").containsEntry("cluster_slots_ok", "16384")
                    .containsEntry("cluster_known_nodes", "6");
        }
        List<RedisNode> masters = CLUSTER.get().masters();
        assertThat(masters).hasSize(3).allSatisfy(master -> assertThat(master.role()).isEqualTo("master"));
        assertThat(CLUSTER.get().replicas()).hasSize(3).allSatisfy(replica -> assertThat(replica.role()).isEqualTo("slave"));
        for (RedisNode master : masters) {
            RedisNode replica = CLUSTER.get().replicaOf(master);
            assertThat(CLUSTER.get().masterOf(replica)).isSameAs(master);
            assertThat(replica.info("replication"))
                    .containsEntry("master_port", Integer.toString(master.port()))
                    .containsEntry("master_link_status", "up");
        }
        assertThat(CLUSTER.get().nodeForSlot(0)).isSameAs(masters.get(0)).isSameAs(CLUSTER.get().nodeForSlot(5460));
        assertThat(CLUSTER.get().nodeForSlot(5461)).isSameAs(masters.get(1)).isSameAs(CLUSTER.get().nodeForSlot(10922));
        assertThat(CLUSTER.get().nodeForSlot(10923)).isSameAs(masters.get(2)).isSameAs(CLUSTER.get().nodeForSlot(16383));
    }

    @Test
    void slotOfMatchesClusterKeyslot() {
        RedisNode node = CLUSTER.get().masters().get(0);
        for (String key : List.of("foo", "bar", "", "user:1000", "{user1000}.following", "{user1000}.followers",
                "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{", "}{", "a{b", "ключ{значение}", "sg{t}:state:inst1")) {
            assertThat(ClusterTopology.slotOf(key)).as("slot of '%s'", key)
                    .isEqualTo(((Long) node.command("CLUSTER", "KEYSLOT", key)).intValue());
        }
    }

    @Test
    void writesOnTheKeysMasterReplicateToItsReplica() {
        String key = "cluster:{replicated}";
        RedisNode master = CLUSTER.get().nodeForKey(key);
        assertThat(master.command("SET", key, "v")).isEqualTo("OK"); // no MOVED: the right node
        CLUSTER.get().awaitReplicated();
        assertThat(CLUSTER.get().replicaForKey(key).command("GET", key)).isEqualTo("v");
    }

    @Test
    void divergedReplicaServesItsOwnValueAndStaysAReplica() {
        String key = "sg{t}:state:inst1";
        String hash = "sg{t}:instance:inst1";
        RedisNode master = CLUSTER.get().nodeForKey(key);
        RedisNode replica = CLUSTER.get().replicaForKey(key);
        master.command("SET", key, "open");
        master.command("PEXPIRE", key, "600000");
        master.command("HSET", hash, "creds", "primary-creds", "other", "same");

        CLUSTER.get().divergeReplica(key, "connecting");
        CLUSTER.get().divergeReplicaHashField(hash, "creds", "replica-creds");
        CLUSTER.get().divergeReplica("sg{t}:absent", "ghost");

        assertThat(replica.command("GET", key)).isEqualTo("connecting");
        assertThat(replica.command("HGET", hash, "creds")).isEqualTo("replica-creds");
        assertThat(replica.command("HGET", hash, "other")).isEqualTo("same");
        assertThat(replica.command("GET", "sg{t}:absent")).isEqualTo("ghost");
        assertThat(replica.role()).isEqualTo("slave");

        assertThat(master.command("GET", key)).isEqualTo("open");
        assertThat((Long) master.command("PTTL", key)).as("TTL restored with the value").isPositive();
        assertThat(master.command("HGET", hash, "creds")).isEqualTo("primary-creds");
        assertThat(master.command("EXISTS", "sg{t}:absent")).isEqualTo(0L);
    }

    @Test
    void manualFailoverSwapsMasterAndReplica() {
        try (ClusterTopology own = ClusterTopology.builder().masters(3).replicasPerMaster(1).start()) {
            String key = "failover:key";
            RedisNode oldMaster = own.nodeForKey(key);
            RedisNode replica = own.replicaOf(oldMaster);
            oldMaster.command("SET", key, "v");
            own.awaitReplicated();

            own.failover(replica);

            assertThat(replica.role()).isEqualTo("master");
            assertThat(oldMaster.role()).isEqualTo("slave");
            assertThat(own.nodeForKey(key)).isSameAs(replica);
            assertThat(own.masterOf(oldMaster)).isSameAs(replica);
            assertThat(own.masters()).hasSize(3).contains(replica).doesNotContain(oldMaster);
            assertThat(replica.command("GET", key)).isEqualTo("v");
            for (RedisNode node : own.nodes()) {
                assertThat((String) node.command("CLUSTER", "INFO")).contains("cluster_state:ok");
            }
        }
    }
}
