package io.stateguard.it.versions;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RoutingProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.NewerJdk;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing promise on the newest JDK installed on this machine (Temurin 25 here; see
 * {@link ForkedJvm#newestJavaHome()}), whatever JDK runs the build: the woven Lettuce classes pass
 * that JDK's verifier, and the agent adds no JVM warning of its own (Java 24+ reports every
 * {@code sun.misc.Unsafe} memory access on standard error). Skipped when the machine has no JDK newer
 * than the one running the tests, and failed for that on CI ({@link NewerJdk#require()}). The whole suite runs on a given JDK with
 * {@code -Dstateguard.test.java.home=<java home>}.
 */
class NewestJdkEndToEndTest {

    /** No redis-server may outlive the class. */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topologies are closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis");

    /*
     * Both started at their first use, after NewerJdk.require(): a machine without a newer JDK starts no Redis
     * and reports both tests as skipped (an aborted @BeforeAll would show as no test run at all); on CI they fail.
     */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> MASTER_REPLICA = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).start()).onFirstUse()
            .then(redis -> StaleReplicaFixture.apply(redis.primary(), redis::awaitReplicated));

    @RegisterExtension
    @Order(3)
    static final RedisTopologyExtension<ClusterTopology> CLUSTER = RedisTopologyExtension
            .of(() -> ClusterTopology.builder().start()).onFirstUse()
            .then(cluster -> StaleReplicaFixture.apply(cluster.nodeForKey(StaleReplicaFixture.STATE_KEY),
                    cluster::awaitReplicated));

    @Test
    void staticMasterReplica() throws Exception {
        Path newest = NewerJdk.require();
        assertRoutesOnTheNewestJdk(newest, "static", LettuceVersionMatrixEndToEndTest.join(MASTER_REPLICA.get().nodes()));
    }

    @Test
    void cluster() throws Exception {
        Path newest = NewerJdk.require();
        assertRoutesOnTheNewestJdk(newest, "cluster", LettuceVersionMatrixEndToEndTest.join(CLUSTER.get().masters()));
    }

    private void assertRoutesOnTheNewestJdk(Path newest, String mode, String nodes) throws Exception {
        List<String> args = new ArrayList<>(List.of(mode, nodes));
        args.addAll(List.of(StaleReplicaFixture.probeKeys()));
        String[] probeArgs = args.toArray(new String[0]);

        ForkedJvm.Result without = ForkedJvm.create().javaHome(newest).run(RoutingProbe.class.getName(), probeArgs)
                .assertSuccess();
        assertThat(without.values("probe.")).as(without.describe("without the agent: the stale replica"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.allFromReplica());

        ForkedJvm.Result with = ForkedJvm.create().javaHome(newest).withAgent(StaleReplicaFixture.AGENT_ARGS)
                .run(RoutingProbe.class.getName(), probeArgs).assertSuccess();
        assertThat(with.values("probe.")).as(with.describe("with the agent: state keys from the primary"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.stateFromPrimary());
        assertThat(with.stderr()).contains("[stateguard] INFO Lettuce from lettuce-core-").contains("applying lettuce-6+")
                .doesNotContain("[stateguard] WARN").doesNotContain("internal error");
        assertThat(jvmWarnings(with)).as(with.describe("the agent adds no JVM warning"))
                .isEqualTo(jvmWarnings(without));
        // No version rule: routing only, so the agent must log no inconsistency event at all.
        assertThat(InconsistencyEvents.parse(with.stderr())).as(with.describe("no inconsistency event")).isEmpty();
    }

    /** The JVM's own {@code WARNING:} lines (Unsafe, dynamic agents, native access, ...). */
    static List<String> jvmWarnings(ForkedJvm.Result result) {
        return Arrays.stream(result.stderr().split("\\R")).filter(line -> line.startsWith("WARNING:")).toList();
    }
}
