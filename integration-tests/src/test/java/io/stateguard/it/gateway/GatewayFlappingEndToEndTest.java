package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.PollReport;
import io.stateguard.demo.ScenarioResult;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.gateway.InstanceState;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's claim as a test, with the demo's own pieces ({@link GatewayScenario}): the reference gateway
 * reading through {@code ReadFrom.REPLICA_PREFERRED} from a replica whose replication stream lags 150 ms
 * flaps without the agent, and gives no wrong answer over 2,000 polls with it.
 *
 * <p>Every run proves its own lag: while it polls, the test reads each state key on the primary and then on
 * the replica, and counts the times the replica still had an older version than the primary already had.
 * A run with the agent and no such observation would prove nothing, so it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayFlappingEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topology is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    private static final int POLLS = 2_000;
    private static final int LAG_MILLIS = 150;

    /** A primary and a replica whose replication stream lags 150 ms, for the whole class; logs kept on failure. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
            .then(redis -> redis.lagProxy(0).setDelayMillis(LAG_MILLIS));

    @BeforeEach
    void freshData() {
        PrimaryReplicaTopology redis = REDIS.get();
        // The gateway continues the versions it finds; each run starts from nothing.
        redis.primary().command("FLUSHALL");
        redis.awaitReplicated();
    }

    private final AtomicLong replicaSamples = new AtomicLong();
    private final AtomicLong replicaBehind = new AtomicLong();

    private GatewayScenario.Builder scenario() {
        replicaSamples.set(0);
        replicaBehind.set(0);
        PrimaryReplicaTopology redis = REDIS.get();
        return GatewayScenario.builder(redis.primary().uri() + "," + redis.replica(0).uri()).polls(POLLS)
                .whilePolling(this::sampleTheReplica);
    }

    /**
     * Until polling ends: every state key read on the primary, then on the replica; the replica is behind
     * when it answers a version older than the one the primary had already answered.
     */
    private void sampleTheReplica(GatewayScenario.Context context) throws InterruptedException {
        PrimaryReplicaTopology redis = REDIS.get();
        while (!context.poller().finished()) {
            for (String instance : context.instances()) {
                String key = context.keys().stateKey(instance);
                Object onPrimary = redis.primary().command("GET", key);
                Object onReplica = redis.replica(0).command("GET", key);
                if (onPrimary != null) {
                    replicaSamples.incrementAndGet();
                    long replicaVersion = onReplica == null ? -1 : InstanceState.fromJson((String) onReplica).version();
                    if (replicaVersion < InstanceState.fromJson((String) onPrimary).version()) {
                        replicaBehind.incrementAndGet();
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(10); // the sampling pace, not a wait for a condition
        }
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
        assertThat(report.polls()).isEqualTo(POLLS);
        assertThat(report.wrongAnswers()).as("%s; first: %s", result.summary(), report.examples()).isZero();
        assertThat(report.qrForConnected()).as(result.summary()).isZero();
        assertThat(result.agentLog()).as(result.gatewayStderr()).anyMatch(line ->
                line.contains("instrumented io.lettuce.core.masterreplica.MasterReplicaConnectionProvider"));
        // State reads go to the primary, so the version guard has nothing to report (any event here would be
        // a primary_regression, which this topology cannot produce).
        assertThat(InconsistencyEvents.parse(result.agentLog())).as("no inconsistency event: %s", result.agentLog()).isEmpty();
    }

    private ScenarioResult run(GatewayScenario.Builder scenario) throws Exception {
        ScenarioResult result = scenario.build().run();
        System.out.println("[gateway-e2e] " + result.summary());
        // Checked in every run: a run whose requests failed or whose gateway did not stop proves nothing.
        assertThat(result.report().errors()).as("%s; first: %s", result.summary(), result.report().examples()).isZero();
        assertThat(result.webhookEvents()).as("the client must learn states from webhooks").isPositive();
        assertThat(result.stoppedCleanly()).as(result.gatewayStderr()).isTrue();
        assertThat(result.gatewayStderr()).doesNotContain("internal error").doesNotContain("[gateway] WARN");
        // This run's own lag: the replica the gateway reads from was seen behind the primary while it polled.
        System.out.println("[gateway-e2e] replica behind the primary in " + replicaBehind + " of " + replicaSamples
                + " samples");
        assertThat(replicaBehind.get()).as("the replica was behind the primary during this run (%s samples)",
                replicaSamples).isPositive();
        return result;
    }
}
