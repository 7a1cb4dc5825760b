package io.stateguard.it.versions;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.RoutingProbe;
import io.stateguard.it.probe.WhichLettuceProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing promise on every Lettuce range whose internals differ (docs/COMPATIBILITY.md):
 *
 * <ul>
 *   <li>5.3: Master/Replica in {@code masterslave}, nested {@code MasterSlaveConnectionProvider.Intent};</li>
 *   <li>6.1: {@code masterreplica}, nested {@code MasterReplicaConnectionProvider.Intent};</li>
 *   <li>6.3: {@code io.lettuce.core.protocol.ConnectionIntent}, {@code ReadOnlyCommands} predicate;</li>
 *   <li>6.5: no {@code ProtocolKeyword.name()};</li>
 *   <li>6.8: the last 6.x, Spring Boot 4.0's Lettuce;</li>
 *   <li>7.7: the newest, the test class path's own.</li>
 * </ul>
 *
 * Each runs {@link RoutingProbe} (sync, async, reactive, pipelined and batched reads, String and
 * byte[] keys, {@code ReadFrom.REPLICA}) in a forked JVM with that Lettuce jar and the Netty 4.1 and
 * Reactor it declares (see integration-tests/pom.xml), against a
 * deliberately stale replica: without the agent everything comes from the replica (so the test can
 * fail), with it state keys come from the primary and other keys still from the replica.
 */
class LettuceVersionMatrixEndToEndTest {

    /** No redis-server may outlive the class. */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topologies are closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis");

    /** Each topology with a deliberately stale replica, for the whole class; logs kept if a test fails. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> MASTER_REPLICA = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).start())
            .then(redis -> StaleReplicaFixture.apply(redis.primary(), redis::awaitReplicated));

    @RegisterExtension
    @Order(3)
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = StaleReplicaFixture.staleSentinel();

    @RegisterExtension
    @Order(4)
    static final RedisTopologyExtension<ClusterTopology> CLUSTER = StaleReplicaFixture.staleCluster();

    @ParameterizedTest(name = "Lettuce {0}")
    @ValueSource(strings = {"5.3.7.RELEASE", "6.1.10.RELEASE", "6.3.2.RELEASE", "6.5.5.RELEASE", "6.8.2.RELEASE", "7.7.0.RELEASE"})
    void staticMasterReplica(String version) throws Exception {
        assertRoutesStateKeysToThePrimary(version, "static", join(MASTER_REPLICA.get().nodes()));
    }

    @ParameterizedTest(name = "Lettuce {0}")
    @ValueSource(strings = {"5.3.7.RELEASE", "6.1.10.RELEASE", "6.3.2.RELEASE", "6.5.5.RELEASE", "6.8.2.RELEASE", "7.7.0.RELEASE"})
    void cluster(String version) throws Exception {
        assertRoutesStateKeysToThePrimary(version, "cluster", join(CLUSTER.get().masters()));
    }

    @ParameterizedTest(name = "Lettuce {0}")
    @ValueSource(strings = {"5.3.7.RELEASE", "6.1.10.RELEASE", "6.8.2.RELEASE", "7.7.0.RELEASE"})
    void sentinel(String version) throws Exception {
        assertRoutesStateKeysToThePrimary(version, "sentinel:" + SENTINEL.get().masterName(), join(SENTINEL.get().sentinels()));
    }

    static void assertRoutesStateKeysToThePrimary(String version, String mode, String nodes) throws Exception {
        ForkedJvm.Result without = probe(ForkedJvm.create().lettuceVersion(version), version, mode, nodes);
        assertThat(without.values("probe."))
                .as(without.describe("without the agent every read must be served by the stale replica"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.allFromReplica());

        ForkedJvm.Result with = probe(ForkedJvm.create().lettuceVersion(version).withAgent(StaleReplicaFixture.AGENT_ARGS),
                version, mode, nodes);
        assertThat(with.values("probe."))
                .as(with.describe("with the agent, state keys must be read from the primary"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.stateFromPrimary());
        String module = version.startsWith("5.") ? "lettuce-5" : "lettuce-6+";
        assertThat(with.stderr()).as(with.describe("names the module it applies"))
                .contains("[stateguard] INFO Lettuce from lettuce-core.jar: applying " + module)
                .contains("[stateguard] INFO instrumented " + (mode.equals("cluster")
                        ? "io.lettuce.core.cluster.ClusterDistributionChannelWriter"
                        : version.startsWith("5.") ? "io.lettuce.core.masterslave.MasterSlaveChannelWriter"
                                : "io.lettuce.core.masterreplica.MasterReplicaChannelWriter"))
                .doesNotContain("[stateguard] WARN");
        // No version rule: routing only, so the agent must log no inconsistency event at all.
        assertThat(InconsistencyEvents.parse(with.stderr())).as(with.describe("no inconsistency event")).isEmpty();
    }

    private static ForkedJvm.Result probe(ForkedJvm jvm, String version, String mode, String nodes) throws Exception {
        List<String> args = new ArrayList<>(List.of(RoutingProbe.class.getName(), mode, nodes));
        args.addAll(List.of(StaleReplicaFixture.probeKeys()));
        ForkedJvm.Result result = jvm.run(WhichLettuceProbe.class.getName(), args.toArray(new String[0]))
                .assertSuccess();
        Map<String, String> which = result.values("lettuce.");
        assertThat(which.get("jar")).as(result.describe("runs the requested Lettuce")).contains("/" + version + "/");
        // Each Lettuce with the Netty generation it was built for: 4.1 up to 6.x, 4.2 for 7.x.
        assertThat(which.get("netty")).as(result.describe("runs the Netty of that Lettuce"))
                .contains(version.startsWith("7.") ? "/4.2." : "/" + version + "/netty-transport.jar");
        return result;
    }

    static String join(Iterable<RedisNode> nodes) {
        StringBuilder joined = new StringBuilder();
        for (RedisNode node : nodes) {
            if (joined.length() > 0) {
                joined.append(',');
            }
            joined.append(node.hostAndPort());
        }
        return joined.toString();
    }
}
