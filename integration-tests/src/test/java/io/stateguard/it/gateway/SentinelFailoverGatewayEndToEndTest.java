package io.stateguard.it.gateway;

import io.stateguard.demo.GatewayScenario;
import io.stateguard.demo.PollReport;
import io.stateguard.demo.ScenarioResult;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.SentinelTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference gateway with the agent through a real Sentinel failover in the middle of polling: the
 * primary is killed, a replica that may lack the last writes is promoted. Clients may only see a state
 * go backwards where the version guard reported that the new primary itself is older
 * ({@code primary_regression}): a lost write no client-side agent can bring back, but that is never
 * silent. Everything else stays monotonic, and the gateway keeps answering.
 */
@ExtendWith(NoStrayProcesses.class)
class SentinelFailoverGatewayEndToEndTest {

    private static final int POLLS = 3_000;

    @Test
    void onlyReportedPrimaryRegressionsMayGoBackwardsAcrossAFailover() throws Exception {
        try (SentinelTopology sentinel = SentinelTopology.builder().replicas(1).start()) {
            RedisNode first = sentinel.primary();
            CompletableFuture<RedisNode> promoted = new CompletableFuture<>();
            ScenarioResult result = GatewayScenario.builder(sentinel.sentinelUri())
                    .polls(POLLS)
                    .withAgent(new GatewayKeys(GatewayKeys.DEFAULT_PREFIX).agentArguments())
                    .beforePolling(context -> {
                        // Fail over while the poller runs: kill the primary a second into polling.
                        Thread failover = new Thread(() -> {
                            try {
                                Thread.sleep(1_000);
                                RedisNode killed = sentinel.killPrimary();
                                promoted.complete(sentinel.awaitNewPrimary(killed));
                            } catch (Throwable t) {
                                promoted.completeExceptionally(t);
                            }
                        }, "failover");
                        failover.setDaemon(true);
                        failover.start();
                    })
                    .build().run();
            System.out.println("[gateway-e2e] " + result.summary());

            RedisNode newPrimary = promoted.get(60, TimeUnit.SECONDS);
            assertThat(newPrimary).as("Sentinel must have promoted the replica").isNotSameAs(first);
            PollReport report = result.report();
            assertThat(report.polls()).isGreaterThanOrEqualTo(POLLS);
            assertThat(report.errors()).as("the gateway keeps answering across the failover: %s", result.summary())
                    .isLessThan(POLLS / 10);
            long primaryRegressions = result.inconsistencyReports().stream()
                    .filter(line -> line.contains("type=primary_regression")).count();
            if (report.wrongAnswers() > 0 || report.qrForConnected() > 0) {
                assertThat(primaryRegressions)
                        .as("states went backwards (%s; first: %s) without a primary_regression report; agent log: %s",
                                result.summary(), report.examples(), result.agentLog())
                        .isPositive();
            }
            assertThat(result.inconsistencyReports())
                    .as("reads go to the primary: the only inconsistency possible is a primary regression")
                    .allMatch(line -> line.contains("type=primary_regression"));
            assertThat(result.gatewayStderr()).doesNotContain("internal error");
        }
    }
}
