package io.stateguard.it.replication;

import io.stateguard.it.support.CommandStats;
import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.stateguard.harness.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code routing=causal} on a Redis Cluster with a replica per shard (3 masters, 3 replicas), for an application
 * reading from replicas ({@code ReadFrom.REPLICA}): the monitor follows the shards from the client's partitions,
 * write-then-read loops across all shards read no stale value, and keys written long ago are read from the
 * replicas of their shards ({@code INFO commandstats} of every node). The harness's lag proxy cannot be put
 * between Cluster nodes (they find each other through the cluster bus), so the replicas here are only as far
 * behind as real replication is.
 */
class ClusterCausalEndToEndTest {

    private static final String CAUSAL = "keys=cc:*;routing=causal";

    @RegisterExtension
    static final RedisTopologyExtension<ClusterTopology> CLUSTER = RedisTopologyExtension
            .of(() -> ClusterTopology.builder().start());

    /**
     * Right after a cluster is created, a first Lettuce client sometimes finds no replica to read a slot from
     * ({@code PartitionSelectorException} with {@code ReadFrom.REPLICA}, seen without the agent too): this waits,
     * in the test JVM and without the agent, until a client reads every shard from its replica.
     */
    @BeforeAll
    static void lettuceReadsFromEveryReplica() {
        long start = System.nanoTime();
        AtomicReference<RuntimeException> last = new AtomicReference<>();
        Await.untilTrue("a Lettuce client reading from the replicas of every shard", Duration.ofSeconds(30), () -> {
            RedisClusterClient client = RedisClusterClient.create(CLUSTER.get().masters().stream()
                    .map(node -> RedisURI.create(node.host(), node.port())).collect(Collectors.toList()));
            try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
                connection.setReadFrom(ReadFrom.REPLICA);
                for (int k = 0; k < 30; k++) {
                    connection.sync().get("cc:warm-up:" + k);
                }
                return true;
            } catch (RuntimeException e) {
                last.set(e);
                return false;
            } finally {
                client.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }, null);
        System.out.println("[cluster-causal] a plain client read every shard from its replica after "
                + (System.nanoTime() - start) / 1_000_000 + " ms" + (last.get() == null ? "" : "; until then: "
                + last.get()));
    }

    private static String nodes() {
        return "cluster:" + CLUSTER.get().masters().stream().map(RedisNode::hostAndPort)
                .collect(Collectors.joining(","));
    }

    private static long gets(List<RedisNode> nodes) {
        return nodes.stream().mapToLong(node -> CommandStats.calls(node, "get")).sum();
    }

    @Test
    void writeThenReadAcrossShardsNeverReadsAStaleValue() throws Exception {
        ForkedJvm.Result with = ForkedJvm.create().withAgent(CAUSAL)
                .run(CausalProbe.class.getName(), "write-read", nodes(), "cc:wr:", "12", "50").assertSuccess();
        assertThat(with.values("")).as(with.describe("with routing=causal no read is stale"))
                .containsEntry("stale", "0").containsEntry("reads", "600");
        assertThat(with.stderr()).contains("replication monitor: polling INFO replication of Cluster")
                .doesNotContain("internal error");
        assertThat(InconsistencyEvents.parse(with.stderr())).isEmpty();
    }

    @Test
    void keysWrittenLongAgoAreReadFromTheReplicasOfTheirShards() throws Exception {
        ClusterTopology cluster = CLUSTER.get();
        List<RedisNode> replicas = cluster.replicas();
        List<RedisNode> masters = cluster.masters();
        assertThat(replicas).as("a replica per shard").hasSize(3);
        long[] before = replicas.stream().mapToLong(node -> CommandStats.calls(node, "get")).toArray();
        long mastersBefore = gets(masters);

        ForkedJvm.Result with = ForkedJvm.create().withAgent(CAUSAL)
                .run(CausalProbe.class.getName(), "written-long-ago", nodes(), "cc:old:", "30", "20", "500")
                .assertSuccess();
        assertThat(with.values("")).as(with.describe("values written 0.5 s before are read as written"))
                .containsEntry("stale", "0").containsEntry("reads", "600");

        long fromMasters = gets(masters) - mastersBefore;
        long fromReplicas = 0;
        StringBuilder perReplica = new StringBuilder();
        for (int i = 0; i < replicas.size(); i++) {
            long served = CommandStats.calls(replicas.get(i), "get") - before[i];
            fromReplicas += served;
            perReplica.append(replicas.get(i)).append('=').append(served).append(' ');
            assertThat(served).as(with.describe("every shard's replica serves its keys: " + perReplica))
                    .isPositive();
        }
        assertThat(fromReplicas).as(with.describe("replica GETs " + perReplica + ", master GETs " + fromMasters
                + ": keys the replicas have applied are read from them")).isGreaterThanOrEqualTo(540);
    }
}
