package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.ScenarioResult;
import io.stateguard.gateway.ConnectionState;
import io.stateguard.gateway.Creds;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.gateway.InstanceState;
import io.stateguard.harness.Await;
import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway on Redis Cluster with {@code setReadFrom(REPLICA_PREFERRED)}.
 *
 * <p>Cluster replicas replicate straight from their master over the cluster's announced addresses, so the
 * harness cannot put a {@code LagProxy} in that stream. Instead, staleness is made deterministic: once every
 * instance is open (version v), each state key's replica is set to {@code connecting} at v-1 and each auth
 * hash's replica gets unpaired creds, while the masters keep the truth ({@link ClusterTopology#divergeReplica},
 * a {@code set_repl} script). The gateway runs frozen (no reconnects, no key writes), so nothing overwrites
 * the difference: every answer read from a replica is wrong, and exactly predictable.
 *
 * <p>Every run proves its own staleness: halfway through polling the test reads each key on its slot's
 * master and on that master's replica, and finds the replica behind (state v-1, unpaired creds), so the
 * run with the agent is checked against a cluster that was stale while it polled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterGatewayEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the cluster is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    private static final int POLLS = 2_000;

    /** The cluster, for the whole class; its logs are kept if a test fails. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<ClusterTopology> CLUSTER = RedisTopologyExtension
            .of(() -> ClusterTopology.builder().start());

    private volatile boolean staleChecked;

    @BeforeEach
    void freshData() {
        for (RedisNode master : CLUSTER.get().masters()) {
            master.command("FLUSHALL");
        }
        CLUSTER.get().awaitReplicated();
    }

    private GatewayScenario.Builder scenario() {
        String seeds = CLUSTER.get().masters().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
        return GatewayScenario.builder("redis-cluster://" + seeds)
                .gatewayEnv(GatewayScenario.frozenProfile())
                .polls(POLLS)
                .beforePolling(this::makeReplicasStale)
                .whilePolling(this::assertReplicasStaleHalfway);
    }

    /** Halfway through polling: every replica still serves the diverged values, every master the truth. */
    private void assertReplicasStaleHalfway(GatewayScenario.Context context) {
        Await.untilTrue("half of the polls", Duration.ofSeconds(60),
                () -> context.poller().answered() >= POLLS / 2 || context.poller().finished(), null);
        assertThat(context.poller().finished()).as("checked while polling").isFalse();
        for (String instance : context.instances()) {
            String key = context.keys().stateKey(instance);
            long open = context.known().snapshot(instance).openVersion();
            assertThat(InstanceState.fromJson((String) CLUSTER.get().nodeForKey(key).command("GET", key)))
                    .as("%s on its master", key).extracting(InstanceState::state, InstanceState::version)
                    .containsExactly(ConnectionState.OPEN, open);
            assertThat(InstanceState.fromJson((String) CLUSTER.get().replicaForKey(key).command("GET", key)))
                    .as("%s on its master's replica", key).extracting(InstanceState::state, InstanceState::version)
                    .containsExactly(ConnectionState.CONNECTING, open - 1);
            String authKey = context.keys().authKey(instance);
            assertThat(Creds.isPaired((String) CLUSTER.get().nodeForKey(authKey).command("HGET", authKey,
                    GatewayKeys.CREDS_FIELD))).as("%s creds on its master", authKey).isTrue();
            assertThat(Creds.isPaired((String) CLUSTER.get().replicaForKey(authKey).command("HGET", authKey,
                    GatewayKeys.CREDS_FIELD))).as("%s creds on its master's replica", authKey).isFalse();
        }
        staleChecked = true;
    }

    /** Replicas: the state before the last transition, and creds as before pairing. Masters: unchanged. */
    private void makeReplicasStale(GatewayScenario.Context context) {
        for (String instance : context.instances()) {
            long open = context.known().snapshot(instance).openVersion();
            InstanceState previous =
                    new InstanceState(ConnectionState.CONNECTING, open - 1, System.currentTimeMillis());
            CLUSTER.get().divergeReplica(context.keys().stateKey(instance), previous.toJson());
            CLUSTER.get().divergeReplicaHashField(context.keys().authKey(instance), GatewayKeys.CREDS_FIELD,
                    Creds.fresh().toJson());
        }
    }

    @Test
    void withoutTheAgentEveryAnswerComesFromTheStaleReplicas() throws Exception {
        ScenarioResult result = run(scenario());

        // Deterministic: every state is v-1, and every connect answer is a QR code for an open instance.
        assertThat(result.report().wrongAnswers()).as(result.summary()).isEqualTo(POLLS);
        assertThat(result.report().qrForConnected()).as(result.summary()).isEqualTo(POLLS / 2);
    }

    @Test
    void withTheAgentStateAndCredsAreReadFromTheSlotMasters() throws Exception {
        ScenarioResult result = run(scenario().withAgent(new GatewayKeys(GatewayKeys.DEFAULT_PREFIX).agentArguments()));

        assertThat(result.report().wrongAnswers()).as("%s; first: %s", result.summary(), result.report().examples())
                .isZero();
        assertThat(result.report().qrCodes()).as(result.summary()).isZero();
        assertThat(result.agentLog()).as(result.gatewayStderr()).anyMatch(line ->
                line.contains("instrumented io.lettuce.core.cluster.ClusterDistributionChannelWriter"));
        // Reads go to the slot masters, which hold the truth: the version guard has nothing to report.
        assertThat(InconsistencyEvents.parse(result.agentLog())).as("no inconsistency event: %s", result.agentLog()).isEmpty();
    }

    private ScenarioResult run(GatewayScenario.Builder scenario) throws Exception {
        staleChecked = false;
        ScenarioResult result = scenario.build().run();
        assertThat(staleChecked).as("the replicas were checked stale during this run").isTrue();
        System.out.println("[gateway-e2e] cluster " + result.summary());
        assertThat(result.report().polls()).isEqualTo(POLLS);
        assertThat(result.report().errors()).as("%s; first: %s", result.summary(), result.report().examples()).isZero();
        assertThat(result.stoppedCleanly()).as(result.gatewayStderr()).isTrue();
        return result;
    }
}
