package io.stateguard.it.versions;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.it.probe.RoutingProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.NewerJdk;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

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
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NewestJdkTest {

    private PrimaryReplicaTopology masterReplica;

    private ClusterTopology cluster;

    /**
     * Checked in each test rather than in a {@code @BeforeAll}, so that a machine without a newer JDK reports
     * both tests as skipped (an aborted {@code @BeforeAll} shows as no test run at all); on CI they fail.
     * The topologies start with the first test that runs.
     */
    private Path newest() {
        Path newest = NewerJdk.require();
        if (masterReplica == null) {
            masterReplica = PrimaryReplicaTopology.builder().replicas(1).start();
            StaleReplicaFixture.apply(masterReplica.primary(), masterReplica::awaitReplicated);
            cluster = ClusterTopology.builder().start();
            StaleReplicaFixture.apply(cluster.nodeForKey(StaleReplicaFixture.STATE_KEY), cluster::awaitReplicated);
        }
        return newest;
    }

    @AfterAll
    void stop() {
        if (masterReplica != null) {
            masterReplica.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void staticMasterReplica() throws Exception {
        Path newest = newest();
        assertRoutesOnTheNewestJdk(newest, "static", LettuceVersionMatrixTest.join(masterReplica.nodes()));
    }

    @Test
    void cluster() throws Exception {
        Path newest = newest();
        assertRoutesOnTheNewestJdk(newest, "cluster", LettuceVersionMatrixTest.join(cluster.masters()));
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
