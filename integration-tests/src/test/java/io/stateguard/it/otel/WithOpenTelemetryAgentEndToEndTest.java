package io.stateguard.it.otel;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RoutingProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * StateGuard beside the OpenTelemetry Java agent, in both {@code -javaagent} orders: the
 * OpenTelemetry agent instruments Lettuce too (its {@code Tracing} and {@code AsyncCommand}), and
 * state keys must still come from the primary while other keys keep the application's replica.
 */
class WithOpenTelemetryAgentEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    @ParameterizedTest(name = "OpenTelemetry agent first: {0}")
    @ValueSource(booleans = {true, false})
    void routesStateKeysBesideTheOpenTelemetryAgent(boolean openTelemetryFirst) throws Exception {
        Path otel = Paths.get(System.getProperty("stateguard.otel.agent.jar", "target/otel/opentelemetry-javaagent.jar"));
        assertThat(otel).as("the build copies the OpenTelemetry Java agent").exists();
        String otelAgent = "-javaagent:" + otel.toAbsolutePath();
        String stateGuard = "-javaagent:" + ForkedJvm.agentJar() + "=" + StaleReplicaFixture.AGENT_ARGS;
        ForkedJvm jvm = ForkedJvm.create()
                .jvmArg(openTelemetryFirst ? otelAgent : stateGuard)
                .jvmArg(openTelemetryFirst ? stateGuard : otelAgent)
                // No exporter: nothing leaves the machine, the agent still instruments.
                .jvmArg("-Dotel.traces.exporter=none")
                .jvmArg("-Dotel.metrics.exporter=none")
                .jvmArg("-Dotel.logs.exporter=none");
        String nodes = REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
        String[] keys = StaleReplicaFixture.probeKeys();
        ForkedJvm.Result result = jvm.run(RoutingProbe.class.getName(), "static", nodes, keys[0], keys[1], keys[2],
                keys[3]).assertSuccess();

        assertThat(result.values("probe.")).as(result.describe("must route state keys beside the OpenTelemetry agent"))
                .containsExactlyInAnyOrderEntriesOf(StaleReplicaFixture.stateFromPrimary());
        assertThat(result.stderr()).as("both agents ran")
                .contains("opentelemetry-javaagent - version")
                .contains("[stateguard] INFO instrumented io.lettuce.core.masterreplica.MasterReplicaChannelWriter")
                .doesNotContain("internal error");
        // No version rule: routing only, so the agent must log no inconsistency event at all.
        assertThat(InconsistencyEvents.parse(result.stderr())).as(result.describe("no inconsistency event")).isEmpty();
    }
}
