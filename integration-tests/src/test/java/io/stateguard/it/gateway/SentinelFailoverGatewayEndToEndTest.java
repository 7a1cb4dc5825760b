package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.PollReport;
import io.stateguard.demo.ScenarioResult;
import io.stateguard.demo.StatusPoller;
import io.stateguard.gateway.ConnectionState;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.gateway.InstanceState;
import io.stateguard.harness.Await;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.support.InconsistencyEvents;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference gateway with the agent through a real Sentinel failover in the middle of polling, which
 * loses a write the clients have already seen: no client-side agent can bring it back, but the agent must
 * report it, exactly once per key, and nothing else may go backwards.
 *
 * <p>Deterministic: the gateway runs frozen (every instance pairs once, at version v, then nothing writes).
 * Before polling, the replica's copy of every state key is made {@code connecting} at v-1 (a healthy,
 * connected replica that "missed" the last write). The agent routes state reads to the primary, so no
 * answer may be wrong before the failover, although the gateway reads with {@code REPLICA_PREFERRED}. Once
 * polling is under way (poll counts recorded), the primary is killed and Sentinel promotes the replica;
 * from then on the primary itself serves v-1, and the agent reports one {@code primary_regression} per
 * state key (expected v, observed v-1, action {@code reported}: the primary's value is returned and becomes
 * the mark, so the key is reported once).
 */
class SentinelFailoverGatewayEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the Sentinel group is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    /** A primary, a replica and 3 Sentinels; its logs are kept if the test fails. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = RedisTopologyExtension
            .of(() -> SentinelTopology.builder().replicas(1).start());

    private static final int POLLS = 3_000;

    /** Polls answered before the primary is killed: the failover starts well inside the run. */
    private static final int POLLS_BEFORE_FAILOVER = 300;

    @Test
    void aWriteLostInTheFailoverIsReportedOncePerKeyAndNothingElseGoesBackwards() throws Exception {
        SentinelTopology sentinel = SENTINEL.get();
        RedisNode first = sentinel.primary();
        RedisNode replica = sentinel.replicas().get(0);
        GatewayKeys keys = new GatewayKeys(GatewayKeys.DEFAULT_PREFIX);
        Map<String, Long> openVersions = new ConcurrentHashMap<>();
        AtomicLong answeredAtKill = new AtomicLong(-1);
        AtomicLong wrongAtKill = new AtomicLong(-1);
        AtomicLong answeredAtPromotion = new AtomicLong(-1);
        AtomicReference<RedisNode> promoted = new AtomicReference<>();

        ScenarioResult result = GatewayScenario.builder(sentinel.sentinelUri())
                .gatewayEnv(GatewayScenario.frozenProfile())
                .polls(POLLS)
                .withAgent(keys.agentArguments())
                .beforePolling(context -> {
                    for (String instance : context.instances()) {
                        long open = context.known().snapshot(instance).openVersion();
                        String key = keys.stateKey(instance);
                        InstanceState truth = InstanceState.fromJson((String) first.command("GET", key));
                        assertThat(truth.state()).as("%s on the primary", key).isEqualTo(ConnectionState.OPEN);
                        assertThat(truth.version()).as("%s on the primary", key).isEqualTo(open);
                        openVersions.put(instance, open);
                        sentinel.divergeReplica(0, key,
                                new InstanceState(ConnectionState.CONNECTING, open - 1, truth.updatedAt()).toJson());
                    }
                })
                .whilePolling(context -> {
                    StatusPoller poller = context.poller();
                    Await.untilTrue(POLLS_BEFORE_FAILOVER + " polls before the failover", Duration.ofSeconds(30),
                            () -> poller.answered() >= POLLS_BEFORE_FAILOVER || poller.finished(), null);
                    answeredAtKill.set(poller.answered());
                    wrongAtKill.set(poller.wrongSoFar());
                    RedisNode killed = sentinel.killPrimary();
                    promoted.set(sentinel.awaitNewPrimary(killed));
                    answeredAtPromotion.set(poller.answered());
                })
                .build().run();
        System.out.println("[gateway-e2e] sentinel " + result.summary() + "; polls answered at the kill "
                + answeredAtKill + ", at the promotion " + answeredAtPromotion);
        PollReport report = result.report();

        // The failover happened, inside the polling window.
        assertThat(promoted.get()).as("Sentinel promoted the replica").isSameAs(replica);
        assertThat(first.isAlive()).as("the old primary was killed").isFalse();
        assertThat(sentinel.currentPrimary()).as("Sentinel's master address").isSameAs(replica);
        assertThat(replica.role()).isEqualTo("master");
        assertThat(answeredAtKill.get()).as("polls answered before the kill").isBetween(
                (long) POLLS_BEFORE_FAILOVER, (long) POLLS / 2);
        assertThat(answeredAtPromotion.get()).as("polls answered after the promotion: %s", result.summary())
                .isLessThan(report.polls() - POLLS / 10);

        // Before the failover: the diverged replica was never read for state, nothing went backwards.
        assertThat(wrongAtKill.get()).as("wrong answers before the failover").isZero();
        // After: the new primary serves v-1, a lost write the clients see; that is what must be reported.
        assertThat(report.wrongAnswers()).as("the lost write is visible after the failover: %s", result.summary())
                .isPositive();
        assertThat(report.qrCodes()).as("the creds were not touched: %s", result.summary()).isZero();
        assertThat(report.polls()).isEqualTo(POLLS);
        assertThat(report.errors()).as("the gateway keeps answering across the failover: %s; first: %s",
                result.summary(), report.examples()).isLessThan(POLLS / 10);

        List<InconsistencyEvents.Event> expected = new ArrayList<>();
        for (String instance : GatewayKeys.instanceNames(openVersions.size())) {
            long open = openVersions.get(instance);
            // The primary's value is the truth: returned as it is ("reported"), the mark reset to it.
            expected.add(new InconsistencyEvents.Event("primary_regression", "reported", "default", 0,
                    keys.stateKey(instance), "GET", open, String.valueOf(open - 1), replica.hostAndPort(),
                    "primary"));
        }
        assertThat(openVersions).as("every instance was diverged").hasSize(4);
        assertThat(InconsistencyEvents.parse(result.agentLog()))
                .as("one primary_regression per state key, nothing else; agent log: %s", result.agentLog())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(result.gatewayStderr()).doesNotContain("internal error");
    }
}
