package io.stateguard.harness;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(NoStrayProcesses.class)
class SentinelTopologyTest {

    @Test
    void sentinelsWatchThePrimaryAndAManualFailoverPromotesTheReplica() throws Exception {
        try (SentinelTopology redis = SentinelTopology.builder().masterName("sg-master").start()) {
            redis.runKeepingLogsOnFailure(() -> {
                RedisNode initial = redis.dataNodes().get(0);
                RedisNode replica = redis.dataNodes().get(1);
                assertThat(redis.masterName()).isEqualTo("sg-master");
                assertThat(redis.sentinels()).hasSize(3).allSatisfy(s -> assertThat(s.role()).isEqualTo("sentinel"));
                assertThat(redis.nodes()).hasSize(5);
                assertThat(redis.currentPrimary()).isSameAs(initial).isSameAs(redis.primary());
                assertThat(redis.replicas()).containsExactly(replica);
                assertThat(initial.role()).isEqualTo("master");
                assertThat(replica.role()).isEqualTo("slave");
                assertThat(redis.sentinelUri()).startsWith("redis-sentinel://127.0.0.1:").endsWith("#sg-master");
                for (RedisNode sentinel : redis.sentinels()) {
                    assertThat(sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "sg-master"))
                            .isEqualTo(List.of("127.0.0.1", Integer.toString(initial.port())));
                }

                initial.command("SET", "k", "v");
                redis.awaitReplicated();
                assertThat(replica.command("GET", "k")).isEqualTo("v");
                redis.divergeReplica(0, "k", "stale");
                assertThat(replica.command("GET", "k")).isEqualTo("stale");
                assertThat(initial.command("GET", "k")).isEqualTo("v");
                assertThat(replica.role()).isEqualTo("slave");

                RedisNode promoted = redis.failover();
                assertThat(promoted).isSameAs(replica);
                assertThat(promoted.role()).isEqualTo("master");
                assertThat(redis.currentPrimary()).isSameAs(promoted);

                assertThat(promoted.command("SET", "after-failover", "yes")).isEqualTo("OK");
                // Not awaitSettled() here: Sentinel demotes the old primary only ~10 s later (its fixed
                // 4 x publish period); the kill test covers awaitSettled().
            });
        }
    }

    @Test
    void killingThePrimaryMakesTheSentinelsPromoteAReplica() throws Exception {
        try (SentinelTopology redis = SentinelTopology.builder().replicas(2).start()) {
            redis.runKeepingLogsOnFailure(() -> {
                RedisNode killed = redis.killPrimary();
                assertThat(killed.isAlive()).isFalse();
                RedisNode promoted = redis.awaitNewPrimary(killed);
                assertThat(promoted).isNotSameAs(killed).isIn(redis.dataNodes());
                assertThat(promoted.role()).isEqualTo("master");
                redis.awaitSettled();
                assertThat(redis.replicas()).hasSize(1).doesNotContain(killed, promoted);
                promoted.command("SET", "k", "v");
                redis.awaitReplicated();
                assertThat(redis.replica(0).command("GET", "k")).isEqualTo("v");
            });
        }
    }
}
