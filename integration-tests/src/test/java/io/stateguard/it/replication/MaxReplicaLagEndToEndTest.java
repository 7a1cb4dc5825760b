package io.stateguard.it.replication;

import io.stateguard.it.support.CommandStats;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.probe.RedissonCausalProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stateguard.max-replica-lag} end to end, below and above the lag the replica really has: a replica behind
 * the harness's lag proxy (60 ms) while another writer (a thread of the test JVM, its own connection to the
 * primary) keeps writing the state keys, and a forked application with the agent that only reads them, from
 * replicas ({@code ReadFrom.REPLICA}). Which node served the reads is counted by the nodes themselves
 * ({@code INFO commandstats}).
 *
 * <ul>
 *   <li>{@code max-replica-lag=20ms}: the replica is always more than 20 ms behind, so state reads go to the
 *       primary and the replica's {@code GET} count barely moves;</li>
 *   <li>{@code max-replica-lag=1s}: the replica is within the bound, so it serves (almost) every read.</li>
 * </ul>
 * Both for {@code routing=causal} (the reader wrote nothing, so only the lag decides) and for
 * {@code routing=replica-checked} (with a version source: values are {@code {"v":n}}). Until the monitor's first
 * rounds have been answered the lag is unknown: causal reads go to the primary then, replica-checked reads keep
 * the application's routing. So the readers read once, wait 500 ms, then read on; except the causal reader under
 * 20 ms, which reads on at once: no decision of its may reach the replica, the first ones included.
 */
class MaxReplicaLagEndToEndTest {

    private static final int KEYS = 10;
    private static final int ROUNDS = 60;
    private static final int READS = KEYS * ROUNDS;

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    @ParameterizedTest(name = "routing={0}, max-replica-lag={1}")
    @CsvSource({"causal, 20ms", "causal, 1s", "replica-checked, 20ms", "replica-checked, 1s"})
    void replicasServeStateReadsOnlyWithinTheBound(String routing, String maxLag) throws Exception {
        replicasServeStateReadsOnlyWithinTheBound(routing, maxLag, false, false);
    }

    /** The same for a Redisson application ({@code ReadMode.SLAVE}), whose nodes the monitor polls through Redisson. */
    @ParameterizedTest(name = "Redisson, routing={0}, max-replica-lag={1}")
    @CsvSource({"causal, 20ms", "causal, 1s", "replica-checked, 20ms", "replica-checked, 1s"})
    void redissonReplicasServeStateReadsOnlyWithinTheBound(String routing, String maxLag) throws Exception {
        replicasServeStateReadsOnlyWithinTheBound(routing, maxLag, false, true);
    }

    /**
     * Causal at 20 ms for an application that connects again in a warm JVM: the monitor's new connections answer
     * within a millisecond or two, so its first round has a single sample of the primary, which the lagging
     * replica is behind; that proves no lag of a millisecond (no read on the new connection may reach the
     * replica). Causal only: a replica-checked rule reads on the application's routing until the first round
     * has been answered, by design.
     */
    @Test
    void aReconnectingApplicationDoesNotReadBeyondTheBoundAtFirstSight() throws Exception {
        replicasServeStateReadsOnlyWithinTheBound("causal", "20ms", true, false);
    }

    private void replicasServeStateReadsOnlyWithinTheBound(String routing, String maxLag, boolean reconnect,
            boolean redisson) throws Exception {
        boolean within = maxLag.equals("1s");
        boolean causal = routing.equals("causal");
        String prefix = "lag:" + (redisson ? "redisson:" : "") + routing + ":" + maxLag + (reconnect ? ":again:" : ":");
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add(prefix + k);
        }
        String agent = "keys=lag:*;routing=" + routing + ";max-replica-lag=" + maxLag
                + (causal ? "" : ";version=json:/v");
        RedisNode replica = REDIS.get().replica(0);
        RedisNode primary = REDIS.get().primary();

        ForkedJvm.Result result;
        long fromReplica;
        long fromPrimary;
        long longestGap;
        try (ContinuousWriter writer = ContinuousWriter.start(primary, keys)) {
            // The writer has been at it for a while: the replica is a steady 60 ms behind.
            Thread.sleep(300);
            long replicaBefore = CommandStats.calls(replica, "get");
            long primaryBefore = CommandStats.calls(primary, "get");
            long writesBefore = writer.writes();
            writer.longestGapMillisAndReset();
            ForkedJvm jvm = ForkedJvm.create().withAgent(agent);
            if (reconnect) {
                jvm.jvmArg("-Dprobe.reconnect=true");
            } else if (within || !causal) {
                jvm.jvmArg("-Dprobe.warmup.millis=500");
            }
            result = redisson
                    ? jvm.run(RedissonCausalProbe.class.getName(), "read", "masterslave", nodes(), prefix,
                            String.valueOf(KEYS), String.valueOf(ROUNDS), "10").assertSuccess()
                    : jvm.run(CausalProbe.class.getName(), "read", nodes(), prefix, String.valueOf(KEYS),
                            String.valueOf(ROUNDS), "10").assertSuccess();
            fromReplica = CommandStats.calls(replica, "get") - replicaBefore;
            fromPrimary = CommandStats.calls(primary, "get") - primaryBefore;
            longestGap = writer.longestGapMillisAndReset();
            assertThat(writer.writes() - writesBefore).as("the other writer kept writing during the reads")
                    .isGreaterThan(200);
        }
        String served = "replica GETs " + fromReplica + ", primary GETs " + fromPrimary + " of " + READS
                + " reads; longest pause of the other writer " + longestGap + " ms";
        System.out.println("[max-replica-lag] routing=" + routing + " max-replica-lag=" + maxLag
                + (reconnect ? " reconnected" : "") + (redisson ? " (Redisson)" : "") + ": " + served);
        assertThat(result.values("")).as(result.describe("read every key")).containsEntry("reads",
                String.valueOf(READS)).containsEntry("nils", "0");
        assertThat(result.stderr()).as(result.describe("the monitor ran"))
                .contains("replication monitor: polling INFO replication of "
                        + (redisson ? "Redisson master/slave" : "Master/Replica"))
                .doesNotContain("internal error");
        if (within) {
            assertThat(fromReplica).as(result.describe(served + ": a replica 60 ms behind is within 1 s"))
                    .isGreaterThanOrEqualTo(READS * 9 / 10);
        } else {
            // The replica-checked reader's first round (10 reads) is read before the lag is known, on the
            // application's routing; nothing else may reach a replica that is 60 ms behind.
            long allowed = (causal || reconnect ? 0 : KEYS) + READS / 100;
            assertThat(fromReplica).as(result.describe(served + ": a replica 60 ms behind is beyond 20 ms"))
                    .isLessThanOrEqualTo(allowed);
            assertThat(fromPrimary).as(served).isGreaterThanOrEqualTo(READS - allowed);
        }
    }
}
