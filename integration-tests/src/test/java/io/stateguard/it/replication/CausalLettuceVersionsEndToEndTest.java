package io.stateguard.it.replication;

import io.stateguard.it.support.CommandStats;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code routing=causal} on the Lettuce ranges whose Master/Replica internals differ for the replication monitor
 * (5.x: {@code masterslave} classes, node URIs copied setting by setting; 6.x and 7.x: {@code RedisURI.builder}):
 * with a replica 60 ms behind, write-then-read reads nothing stale, and keys written long ago are read from the
 * replica, so the monitor's own connections reached both nodes and answered.
 */
class CausalLettuceVersionsEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    @ParameterizedTest(name = "Lettuce {0}")
    @ValueSource(strings = {"5.3.7.RELEASE", "6.1.10.RELEASE", "6.8.2.RELEASE"})
    void causalReadsOnEveryLettuceRange(String version) throws Exception {
        String nodes = REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
        String prefix = "causal:v" + version.replace('.', '-') + ":";
        ForkedJvm.Result loop = ForkedJvm.create().lettuceVersion(version).withAgent("keys=causal:*;routing=causal")
                .run(CausalProbe.class.getName(), "write-read", nodes, prefix + "wr:", "4", "25").assertSuccess();
        assertThat(loop.values("")).as(loop.describe("no stale read")).containsEntry("stale", "0")
                .containsEntry("reads", "100");
        assertThat(loop.stderr()).contains("replication monitor: polling INFO replication of Master/Replica")
                .doesNotContain("internal error").doesNotContain("cannot ask");

        RedisNode replica = REDIS.get().replicas().get(0);
        long before = CommandStats.calls(replica, "get");
        ForkedJvm.Result old = ForkedJvm.create().lettuceVersion(version).withAgent("keys=causal:*;routing=causal")
                .run(CausalProbe.class.getName(), "written-long-ago", nodes, prefix + "old:", "10", "20", "800")
                .assertSuccess();
        assertThat(old.values("")).containsEntry("stale", "0").containsEntry("reads", "200");
        assertThat(CommandStats.calls(replica, "get") - before)
                .as(old.describe("keys the replica has applied are read from it")).isGreaterThanOrEqualTo(180);
    }
}
