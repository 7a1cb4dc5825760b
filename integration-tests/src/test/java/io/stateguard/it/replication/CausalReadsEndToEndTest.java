package io.stateguard.it.replication;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.CommandStats;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import io.stateguard.it.support.InconsistencyEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code routing=causal} end to end, against a primary and a replica that applies the primary's stream 60 ms
 * late (the harness's lag proxy): reads of keys this process just wrote go to the primary until the replica has
 * applied them, so none is stale; keys written long ago are read from the replica (counted by the replica's
 * own {@code INFO commandstats}).
 */
class CausalReadsEndToEndTest {

    private static final String CAUSAL = "keys=causal:*;routing=causal";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    @Test
    void writeThenReadLoopsNeverReadAStaleValue() throws Exception {
        ForkedJvm.Result without = ForkedJvm.create()
                .run(CausalProbe.class.getName(), "write-read", nodes(), "causal:wr:", "4", "50").assertSuccess();
        assertThat(Long.parseLong(without.values("").get("stale")))
                .as(without.describe("without the agent, a replica 60 ms behind answers write-then-read with old values"))
                .isGreaterThan(100);

        ForkedJvm.Result with = ForkedJvm.create().withAgent(CAUSAL)
                .run(CausalProbe.class.getName(), "write-read", nodes(), "causal:wr:", "4", "50").assertSuccess();
        assertThat(with.values("")).as(with.describe("with routing=causal no read is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "200");
        assertThat(with.stderr()).contains("replication monitor: polling INFO replication of Master/Replica")
                .doesNotContain("internal error");
        assertThat(InconsistencyEvents.parse(with.stderr())).isEmpty();
    }

    @Test
    void keysWrittenLongAgoAreReadFromTheReplica() throws Exception {
        RedisNode replica = REDIS.get().replicas().get(0);
        RedisNode primary = REDIS.get().primary();
        long replicaBefore = CommandStats.calls(replica, "get");
        long primaryBefore = CommandStats.calls(primary, "get");

        ForkedJvm.Result with = ForkedJvm.create().withAgent(CAUSAL)
                .run(CausalProbe.class.getName(), "written-long-ago", nodes(), "causal:old:", "20", "20", "1500")
                .assertSuccess();
        assertThat(with.values("")).as(with.describe("values written 1.5 s before are read as written"))
                .containsEntry("stale", "0").containsEntry("reads", "400");

        long fromReplica = CommandStats.calls(replica, "get") - replicaBefore;
        long fromPrimary = CommandStats.calls(primary, "get") - primaryBefore;
        assertThat(fromReplica).as(with.describe("replica GETs " + fromReplica + ", primary GETs " + fromPrimary
                + ": keys the replica has applied are read from it")).isGreaterThanOrEqualTo(360);
    }
}
