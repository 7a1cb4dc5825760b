package io.stateguard.it.replication;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.probe.RedissonCausalProbe;
import io.stateguard.it.support.CommandStats;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code routing=causal} end to end, against a primary and a replica that applies the primary's stream 60 ms
 * late (the harness's lag proxy), for a Lettuce application ({@code ReadFrom.REPLICA}) and a Redisson one
 * ({@code ReadMode.SLAVE}): reads of keys this process just wrote go to the primary until the replica has
 * applied them, so none is stale; keys written long ago are read from the replica (counted by the replica's
 * own {@code INFO commandstats}).
 */
class CausalReadsEndToEndTest {

    private static final String CAUSAL = "keys=causal:*;routing=causal";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    /** Runs the client's causal probe: {@code <mode> <keyPrefix> <keys> <rounds> [<pauseMillis>]}. */
    private static ForkedJvm.Result probe(String client, ForkedJvm jvm, String mode, String... arguments)
            throws Exception {
        String[] args = new String[arguments.length + (client.equals("redisson") ? 3 : 2)];
        int next = 0;
        args[next++] = mode;
        if (client.equals("redisson")) {
            args[next++] = "masterslave";
        }
        args[next++] = nodes();
        System.arraycopy(arguments, 0, args, next, arguments.length);
        String probe = client.equals("redisson") ? RedissonCausalProbe.class.getName() : CausalProbe.class.getName();
        return jvm.run(probe, args).assertSuccess();
    }

    private static String topology(String client) {
        return client.equals("redisson") ? "Redisson master/slave" : "Master/Replica";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lettuce", "redisson"})
    void writeThenReadLoopsNeverReadAStaleValue(String client) throws Exception {
        String prefix = "causal:" + client + ":wr:";
        ForkedJvm.Result without = probe(client, ForkedJvm.create(), "write-read", prefix, "4", "50");
        assertThat(Long.parseLong(without.values("").get("stale")))
                .as(without.describe("without the agent, a replica 60 ms behind answers write-then-read with old values"))
                .isGreaterThan(100);

        ForkedJvm.Result with = probe(client, ForkedJvm.create().withAgent(CAUSAL), "write-read", prefix, "4", "50");
        assertThat(with.values("")).as(with.describe("with routing=causal no read is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "200");
        assertThat(with.stderr()).contains("replication monitor: polling INFO replication of " + topology(client))
                .doesNotContain("internal error");
        assertThat(InconsistencyEvents.parse(with.stderr())).isEmpty();
    }

    /** A Redisson write sent in a batch is not seen acknowledged: its key is read from the master, never stale. */
    @Test
    void redissonBatchWritesAreNeverReadStale() throws Exception {
        ForkedJvm.Result with = probe("redisson", ForkedJvm.create().withAgent(CAUSAL), "batch-write-read",
                "causal:redisson:bw:", "4", "25");
        assertThat(with.values("")).as(with.describe("with routing=causal no read after a batch write is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "100");
        assertThat(with.stderr()).doesNotContain("internal error");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lettuce", "redisson"})
    void keysWrittenLongAgoAreReadFromTheReplica(String client) throws Exception {
        RedisNode replica = REDIS.get().replicas().get(0);
        RedisNode primary = REDIS.get().primary();
        long replicaBefore = CommandStats.calls(replica, "get");
        long primaryBefore = CommandStats.calls(primary, "get");

        ForkedJvm.Result with = probe(client, ForkedJvm.create().withAgent(CAUSAL), "written-long-ago",
                "causal:" + client + ":old:", "20", "20", "1500");
        assertThat(with.values("")).as(with.describe("values written 1.5 s before are read as written"))
                .containsEntry("stale", "0").containsEntry("reads", "400");

        long fromReplica = CommandStats.calls(replica, "get") - replicaBefore;
        long fromPrimary = CommandStats.calls(primary, "get") - primaryBefore;
        assertThat(fromReplica).as(with.describe("replica GETs " + fromReplica + ", primary GETs " + fromPrimary
                + ": keys the replica has applied are read from it")).isGreaterThanOrEqualTo(360);
    }
}
