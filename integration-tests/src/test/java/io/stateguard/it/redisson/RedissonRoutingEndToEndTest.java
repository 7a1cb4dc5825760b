package io.stateguard.it.redisson;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.RedissonProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's routing for Redisson, end to end: a Redisson application reading with {@code ReadMode.SLAVE} from
 * a stale replica ({@link StaleReplicaFixture}) gets the replica's values without the agent and, with
 * {@code -javaagent:stateguard-agent.jar} and the same settings as for Lettuce, the master's values for state
 * keys only, while other keys keep Redisson's routing: in master/slave, Sentinel and Cluster, through the sync,
 * async, Reactive and RxJava APIs, {@code RMap}, {@code RBuckets}, {@code RBatch} and read-only scripts.
 */
class RedissonRoutingEndToEndTest {

    static final String DEFAULT_JAR = "redisson-4.0.0.jar";

    static ForkedJvm.Result reads(ForkedJvm jvm, String topology, String nodes, String readMode) throws Exception {
        String[] keys = StaleReplicaFixture.probeKeys();
        return jvm.run(RedissonProbe.class.getName(), topology, nodes, readMode, "reads", keys[0], keys[1], keys[2],
                keys[3]).assertSuccess();
    }

    /** What the probe prints when every read is served by the stale replica. */
    static Map<String, String> allFromReplica() {
        return expected("connecting", "replica-creds", "replica-cache", "replica-cache|connecting");
    }

    /** What the probe prints when reads of state keys, and the batches and multi-gets with one, go to the master. */
    static Map<String, String> stateFromMaster() {
        return expected("open", "primary-creds", "primary-cache", "primary-cache|open");
    }

    private static Map<String, String> expected(String state, String creds, String otherBesideState, String both) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String api : new String[] {"sync", "async", "reactive", "rx", "script"}) {
            values.put(api + ".state", state);
            // a key no rule matches keeps Redisson's ReadMode: always the replica
            values.put(api + ".other", "replica-cache");
        }
        values.put("map.get", creds);
        values.put("map.getAll", creds);
        values.put("reactive.map.get", creds);
        values.put("rx.map.get", creds);
        values.put("buckets.get", both);
        values.put("buckets.get.other", "replica-cache");
        values.put("batch.mixed.other", otherBesideState);
        values.put("batch.mixed.state", state);
        values.put("batch.plain.other", "replica-cache");
        return values;
    }

    static void assertRoutesStateKeysToTheMaster(ForkedJvm without, ForkedJvm with, String topology, String nodes,
            String jar) throws Exception {
        ForkedJvm.Result plain = reads(without, topology, nodes, "SLAVE");
        assertThat(plain.values("probe.")).as(plain.describe("without the agent every read is served by the stale replica"))
                .containsExactlyInAnyOrderEntriesOf(allFromReplica());

        ForkedJvm.Result result = reads(with.withAgent(StaleReplicaFixture.AGENT_ARGS), topology, nodes, "SLAVE");
        assertThat(result.values("probe.")).as(result.describe("with the agent, state keys must be read from the master"))
                .containsExactlyInAnyOrderEntriesOf(stateFromMaster());
        assertThat(result.stderr())
                .contains("[stateguard] INFO Redisson from " + jar + ": applying redisson-3.16.8+")
                .contains("[stateguard] INFO instrumented org.redisson.command.CommandAsyncService")
                .contains("[stateguard] INFO instrumented org.redisson.command.CommandBatchService")
                .doesNotContain("internal error").doesNotContain("could not instrument")
                .doesNotContain("does not instrument Redisson");
        assertThat(InconsistencyEvents.parse(result.stderr())).as(result.describe("no inconsistency event")).isEmpty();
    }

    static String join(List<RedisNode> nodes) {
        return nodes.stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    @Nested
    class MasterSlave {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

        private String nodes() {
            return REDIS.get().primary().hostAndPort() + "," + join(REDIS.get().replicas());
        }

        @Test
        void readModeSlave() throws Exception {
            assertRoutesStateKeysToTheMaster(ForkedJvm.create(), ForkedJvm.create(), "masterslave", nodes(), DEFAULT_JAR);
        }

        /**
         * {@code MASTER_SLAVE} balances reads over every node, the stale replica included: with the agent, state keys
         * are read from the master every time (three runs of every API), and the other key still from either node.
         */
        @Test
        void readModeMasterSlave() throws Exception {
            for (int run = 0; run < 3; run++) {
                ForkedJvm.Result result = reads(ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS),
                        "masterslave", nodes(), "MASTER_SLAVE");
                Map<String, String> values = result.values("probe.");
                Map<String, String> expected = stateFromMaster();
                expected.forEach((read, value) -> {
                    if (read.endsWith(".state") || read.startsWith("map.") || read.contains(".map.")
                            || read.equals("buckets.get")) {
                        assertThat(values.get(read)).as(result.describe(read + " from the master")).isEqualTo(value);
                    }
                });
                assertThat(values.get("sync.other")).isIn("replica-cache", "primary-cache");
            }
        }

        /** A setting that routes nothing ({@code routing=configured}) leaves Redisson's routing as it is. */
        @Test
        void configuredRoutingKeepsRedissonsReadMode() throws Exception {
            ForkedJvm.Result result = reads(ForkedJvm.create().withAgent("keys=sg{t}:state:*,sg{t}:instance:*;routing=configured"),
                    "masterslave", nodes(), "SLAVE");
            assertThat(result.values("probe.")).as(result.describe("routing=configured must not reroute"))
                    .containsExactlyInAnyOrderEntriesOf(allFromReplica());
        }

        /** The version matrix: the oldest supported 3.x and the newest 3.x, each with the Netty it declares. */
        @ParameterizedTest(name = "Redisson {0}")
        @ValueSource(strings = {"3.16.8", "3.52.0"})
        void otherRedissonVersions(String version) throws Exception {
            assertRoutesStateKeysToTheMaster(ForkedJvm.create().redissonVersion(version),
                    ForkedJvm.create().redissonVersion(version), "masterslave", nodes(), "redisson-" + version + ".jar");
        }
    }

    @Nested
    class Sentinel {

        @RegisterExtension
        static final RedisTopologyExtension<SentinelTopology> REDIS = StaleReplicaFixture.staleSentinel();

        @Test
        void sentinelReadModeSlave() throws Exception {
            assertRoutesStateKeysToTheMaster(ForkedJvm.create(), ForkedJvm.create(),
                    "sentinel:" + REDIS.get().masterName(), join(REDIS.get().sentinels()), DEFAULT_JAR);
        }
    }

    @Nested
    class Cluster {

        @RegisterExtension
        static final RedisTopologyExtension<ClusterTopology> REDIS = StaleReplicaFixture.staleCluster();

        @Test
        void clusterReadModeSlave() throws Exception {
            assertRoutesStateKeysToTheMaster(ForkedJvm.create(), ForkedJvm.create(), "cluster",
                    join(REDIS.get().masters()), DEFAULT_JAR);
        }
    }
}
