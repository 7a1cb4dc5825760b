package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayProcess;
import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.KnownStates;
import io.stateguard.demo.PollReport;
import io.stateguard.demo.StatusPoller;
import io.stateguard.demo.WebhookReceiver;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's rescue: the reference gateway is already running without the agent and flapping
 * against a lagging replica; {@code java -jar stateguard-agent.jar attach <pid>} loads the agent into
 * it, and from then on no client sees a state go backwards, without a restart.
 */
class GatewayAttachEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topology is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    /** A primary and a replica behind a lag proxy; its logs are kept if the test fails. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    private static final int POLLS = 2_000;

    @Test
    void attachingToAFlappingGatewayStopsTheFlapping() throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        redis.lagProxy(0).setDelayMillis(150);
        KnownStates known = new KnownStates();
        GatewayKeys keys = new GatewayKeys(GatewayKeys.DEFAULT_PREFIX);
        List<String> names = GatewayKeys.instanceNames(4);
        try (WebhookReceiver webhooks = WebhookReceiver.start(known);
                GatewayProcess gateway = GatewayProcess.builder()
                        .env(GatewayScenario.flappingProfile())
                        .env("CACHE_REDIS_URI", redis.primary().uri() + "," + redis.replica(0).uri())
                        .env("GATEWAY_INSTANCES", Integer.toString(names.size()))
                        .env("WEBHOOK_GLOBAL_URL", webhooks.url().toString())
                        .start()) {
            known.awaitAllOpen(names, Duration.ofSeconds(30));

            PollReport before = new StatusPoller(gateway.baseUri(), names, known, 4, 500).run(POLLS);
            assertThat(before.wrongAnswers()).as("the running gateway flaps before the attach: %s", before.summary())
                    .isPositive();

            ForkedJvm.Result attach = ForkedJvm.create().runJar(ForkedJvm.agentJar(), "attach",
                    Long.toString(gateway.pid()), keys.agentArguments());
            assertThat(attach.exitCode()).as(attach.describe("attach must succeed")).isZero();

            PollReport after = new StatusPoller(gateway.baseUri(), names, known, 4, 500).run(POLLS);
            assertThat(after.errors()).as(after.summary()).isZero();
            assertThat(after.wrongAnswers()).as("after the attach: %s; first: %s", after.summary(), after.examples())
                    .isZero();
            assertThat(after.qrForConnected()).as(after.summary()).isZero();
            assertThat(gateway.stop()).as(gateway.stderr()).isEqualTo(143);
            assertThat(gateway.stderr()).contains("[stateguard] INFO StateGuard").contains("(attached)")
                    .doesNotContain("internal error");
            // State reads go to the primary after the attach: the version guard has nothing to report.
            assertThat(InconsistencyEvents.parse(gateway.stderr())).as(gateway.stderr()).isEmpty();
        }
    }
}
