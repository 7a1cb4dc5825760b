package io.stateguard.it.routing;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.RoutingProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent core's promise, end to end: a Lettuce application reading with {@code ReadFrom.REPLICA}
 * from a stale replica gets the replica's values without the agent, and, with
 * {@code -javaagent:stateguard-agent.jar}, the primary's values for state keys only: in every
 * topology, through the sync, async, reactive and pipelined APIs, with String and byte[] keys.
 */
class RoutingEndToEndTest {

    private static ForkedJvm.Result probe(ForkedJvm jvm, String mode, String nodes) throws Exception {
        String[] keys = StaleReplicaFixture.probeKeys();
        return jvm.run(RoutingProbe.class.getName(), mode, nodes, keys[0], keys[1], keys[2], keys[3]).assertSuccess();
    }

    private static void assertRoutesStateKeysToThePrimary(String mode, String nodes, String... instrumented)
            throws Exception {
        ForkedJvm.Result without = probe(ForkedJvm.create(), mode, nodes);
        assertThat(without.values("probe.")).as(without.describe("without the agent every read is served by the stale replica"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.allFromReplica());

        ForkedJvm.Result result = probe(ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS), mode, nodes);
        assertThat(result.values("probe."))
                .as(result.describe("with the agent, state keys must be read from the primary"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.stateFromPrimary());
        for (String type : instrumented) {
            assertThat(result.stderr()).contains("[stateguard] INFO instrumented " + type);
        }
        assertThat(result.stderr()).doesNotContain("internal error").doesNotContain("could not instrument");
        // No version rule: routing only, so the agent must log no inconsistency event at all.
        assertThat(InconsistencyEvents.parse(result.stderr())).as(result.describe("no inconsistency event")).isEmpty();
    }

    private static String join(List<RedisNode> nodes) {
        return nodes.stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    @Nested
    class MasterReplica {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

        @Test
        void staticNodes() throws Exception {
            assertRoutesStateKeysToThePrimary("static", join(REDIS.get().nodes()),
                    "io.lettuce.core.masterreplica.MasterReplicaChannelWriter",
                    "io.lettuce.core.masterreplica.MasterReplicaConnectionProvider");
        }

        @Test
        void autoDiscovery() throws Exception {
            assertRoutesStateKeysToThePrimary("discovery", REDIS.get().primary().hostAndPort());
        }

        @Test
        void deprecatedMasterSlaveEntryPoint() throws Exception {
            assertRoutesStateKeysToThePrimary("masterslave", REDIS.get().primary().hostAndPort());
        }

        @Test
        void configuredRoutingKeepsTheApplicationsReadFrom() throws Exception {
            ForkedJvm.Result result = probe(
                    ForkedJvm.create().withAgent("keys=sg{t}:state:*,sg{t}:instance:*;routing=configured"), "static",
                    join(REDIS.get().nodes()));
            assertThat(result.values("probe.")).as(result.describe("routing=configured must not reroute"))
                    .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.allFromReplica());
            assertThat(InconsistencyEvents.parse(result.stderr())).as(result.describe("no inconsistency event")).isEmpty();
        }
    }

    @Nested
    class Sentinel {

        @RegisterExtension
        static final RedisTopologyExtension<SentinelTopology> REDIS = StaleReplicaFixture.staleSentinel();

        @Test
        void sentinelDiscoveredMasterReplica() throws Exception {
            assertRoutesStateKeysToThePrimary("sentinel:" + REDIS.get().masterName(), join(REDIS.get().sentinels()),
                    "io.lettuce.core.masterreplica.MasterReplicaChannelWriter");
        }
    }

    @Nested
    class Cluster {

        @RegisterExtension
        static final RedisTopologyExtension<ClusterTopology> REDIS = StaleReplicaFixture.staleCluster();

        @Test
        void clusterWithReadFromReplica() throws Exception {
            assertRoutesStateKeysToThePrimary("cluster", join(REDIS.get().masters()),
                    "io.lettuce.core.cluster.ClusterDistributionChannelWriter",
                    "io.lettuce.core.cluster.PooledClusterConnectionProvider");
        }
    }
}
