package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonCausalProbe;
import io.stateguard.it.support.CommandStats;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replication awareness for Redisson, end to end ({@code CausalReadsEndToEndTest} for Lettuce): a Redisson
 * application reading with {@code ReadMode.SLAVE} from a replica that applies the master's stream 60 ms late (the
 * harness's lag proxy). With {@code routing=causal}, a key it has just written is read from the master until the
 * replica has applied the write, so no read is stale (also when the write went in an {@code RBatch}, whose reply the
 * agent does not see), and keys written long ago are read from the replica (counted by its own
 * {@code INFO commandstats}).
 */
class RedissonCausalEndToEndTest {

    private static final String CAUSAL = "keys=rcausal:*;routing=causal";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    private static ForkedJvm.Result run(ForkedJvm jvm, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = args[0];
        all[1] = "masterslave";
        all[2] = nodes();
        System.arraycopy(args, 1, all, 3, args.length - 1);
        return jvm.run(RedissonCausalProbe.class.getName(), all).assertSuccess();
    }

    @Test
    void writeThenReadLoopsNeverReadAStaleValue() throws Exception {
        ForkedJvm.Result without = run(ForkedJvm.create(), "write-read", "rcausal:wr:", "4", "50");
        assertThat(Long.parseLong(without.values("").get("stale")))
                .as(without.describe("without the agent, a replica 60 ms behind answers write-then-read with old values"))
                .isGreaterThan(100);

        ForkedJvm.Result with = run(ForkedJvm.create().withAgent(CAUSAL), "write-read", "rcausal:wr:", "4", "50");
        assertThat(with.values("")).as(with.describe("with routing=causal no read is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "200");
        assertThat(with.stderr()).contains("replication monitor: polling INFO replication of Redisson master/slave")
                .doesNotContain("internal error").doesNotContain("covers Lettuce only");
        assertThat(InconsistencyEvents.parse(with.stderr())).isEmpty();
    }

    /** A write sent in a batch is not seen acknowledged: its key is read from the master, never stale. */
    @Test
    void batchWritesAreNeverReadStale() throws Exception {
        ForkedJvm.Result with = run(ForkedJvm.create().withAgent(CAUSAL), "batch-write-read", "rcausal:bw:", "4", "25");
        assertThat(with.values("")).as(with.describe("with routing=causal no read after a batch write is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "100");
        assertThat(with.stderr()).doesNotContain("internal error");
    }

    @Test
    void keysWrittenLongAgoAreReadFromTheReplica() throws Exception {
        RedisNode replica = REDIS.get().replicas().get(0);
        RedisNode primary = REDIS.get().primary();
        long replicaBefore = CommandStats.calls(replica, "get");
        long primaryBefore = CommandStats.calls(primary, "get");

        ForkedJvm.Result with = run(ForkedJvm.create().withAgent(CAUSAL), "written-long-ago", "rcausal:old:", "20",
                "20", "1500");
        assertThat(with.values("")).as(with.describe("values written 1.5 s before are read as written"))
                .containsEntry("stale", "0").containsEntry("reads", "400");

        long fromReplica = CommandStats.calls(replica, "get") - replicaBefore;
        long fromPrimary = CommandStats.calls(primary, "get") - primaryBefore;
        assertThat(fromReplica).as(with.describe("replica GETs " + fromReplica + ", primary GETs " + fromPrimary
                + ": keys the replica has applied are read from it")).isGreaterThanOrEqualTo(360);
    }
}
