package io.stateguard.it.gateway;

import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.PollReport;
import io.stateguard.demo.ScenarioResult;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.harness.PrimaryReplicaTopology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's claim as a test, with the demo's own pieces ({@link GatewayScenario}): the reference gateway
 * reading through {@code ReadFrom.REPLICA_PREFERRED} from a replica whose replication stream lags 150 ms
 * flaps without the agent, and gives no wrong answer over 2,000 polls with it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoStrayProcesses.class)
class GatewayFlappingEndToEndTest {

    private static final int POLLS = 2_000;
    private static final int LAG_MILLIS = 150;

    private PrimaryReplicaTopology redis;

    @BeforeAll
    void startRedis() {
        redis = PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start();
        redis.lagProxy(0).setDelayMillis(LAG_MILLIS);
    }

    @AfterAll
    void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void freshData() {
        // The gateway continues the versions it finds; each run starts from nothing.
        redis.primary().command("FLUSHALL");
        redis.awaitReplicated();
    }

    private GatewayScenario.Builder scenario() {
        return GatewayScenario.builder(redis.primary().uri() + "," + redis.replica(0).uri()).polls(POLLS);
    }

    @Test
    void withoutTheAgentClientsSeeStatesGoBackwards() throws Exception {
        ScenarioResult result = run(scenario());

        assertThat(result.report().wrongAnswers())
                .as("the lagging replica must make the gateway answer older states: %s", result.summary())
                .isPositive();
        assertThat(result.agentLog()).isEmpty();
    }

    @Test
    void withTheAgentNoAnswerIsOlderThanWhatTheClientSaw() throws Exception {
        ScenarioResult result = run(scenario().withAgent(new GatewayKeys(GatewayKeys.DEFAULT_PREFIX).agentArguments()));

        PollReport report = result.report();
        assertThat(report.polls()).isGreaterThanOrEqualTo(POLLS);
        assertThat(report.wrongAnswers()).as("%s; first: %s", result.summary(), report.examples()).isZero();
        assertThat(report.qrForConnected()).as(result.summary()).isZero();
        assertThat(result.agentLog()).as(result.gatewayStderr()).anyMatch(line ->
                line.contains("instrumented io.lettuce.core.masterreplica.MasterReplicaConnectionProvider"));
    }

    private ScenarioResult run(GatewayScenario.Builder scenario) throws Exception {
        ScenarioResult result = scenario.build().run();
        System.out.println("[gateway-e2e] " + result.summary());
        // Checked in every run: a run whose requests failed or whose gateway did not stop proves nothing.
        assertThat(result.report().errors()).as("%s; first: %s", result.summary(), result.report().examples()).isZero();
        assertThat(result.webhookEvents()).as("the client must learn states from webhooks").isPositive();
        assertThat(result.stoppedCleanly()).as(result.gatewayStderr()).isTrue();
        assertThat(result.gatewayStderr()).doesNotContain("internal error").doesNotContain("[gateway] WARN");
        return result;
    }
}
