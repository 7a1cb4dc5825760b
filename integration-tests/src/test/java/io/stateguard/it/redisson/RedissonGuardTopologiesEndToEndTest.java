package io.stateguard.it.redisson;

import io.stateguard.harness.ClusterTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.RedissonGuardProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.InconsistencyEvents.Event;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version guard for Redisson through Sentinel and in a Cluster, end to end: the state key's replica is made to
 * diverge (the harness writes version 6 there while the master keeps version 8), a Redisson application reads the
 * master's version 8 through a {@code ReadMode.MASTER} client and then the key through a {@code ReadMode.SLAVE}
 * client's sync, async, Reactive and RxJava APIs and {@code RMap.get}. Without the agent it gets 6; with
 * {@code routing=replica-checked} and the default {@code reread-primary}, 8 every time, and one
 * {@code version_regression} per read, served by the replica.
 */
class RedissonGuardTopologiesEndToEndTest {

    private static final String STATE = "tg:state:{t}";
    private static final String HASH = "tg:hstate:{t}";

    private static final String RULE = "keys=tg:state:*;version=json:/version;routing=replica-checked;"
            + "rule.h.keys=tg:hstate:*;rule.h.version=hash:v;rule.h.routing=replica-checked";

    /** Version 8 of both keys on the master. */
    static void writeVersion8(RedisNode master) {
        master.command("SET", STATE, "{\"state\":\"open\",\"version\":8}");
        master.command("HSET", HASH, "state", "open", "v", "8");
    }

    static void assertGuarded(String topology, String nodes, String replica) throws Exception {
        ForkedJvm.Result plain = ForkedJvm.create().run(RedissonGuardProbe.class.getName(), topology, nodes, STATE, HASH)
                .assertSuccess();
        assertThat(plain.values("probe.")).as(plain.describe("without the agent the replica's versions"))
                .containsAllEntriesOf(versions("6"));

        ForkedJvm.Result result = ForkedJvm.create().withAgent(RULE)
                .run(RedissonGuardProbe.class.getName(), topology, nodes, STATE, HASH).assertSuccess();
        assertThat(result.values("probe.")).as(result.describe("with the agent the master's versions"))
                .containsAllEntriesOf(versions("8"));
        List<Event> expected = InconsistencyEvents.Expected.servedBy(replica)
                .repeat(4, api -> api.regression("reread_primary", "default", 0, STATE, "GET", 8, 6))
                .regression("reread_primary", "h", 0, HASH, "HGET", 8, 6)
                .list();
        InconsistencyEvents.assertExactly(result.stderr(), expected);
        assertThat(result.stderr()).doesNotContain("internal error");
    }

    private static Map<String, String> versions(String replicaRead) {
        return Map.of("setup.read", "8", "setup.hash", "8", "sync.read", replicaRead, "async.read", replicaRead,
                "reactive.read", replicaRead, "rx.read", replicaRead, "map.get", replicaRead);
    }

    static String join(List<RedisNode> nodes) {
        return nodes.stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    @Nested
    class Sentinel {

        @RegisterExtension
        static final RedisTopologyExtension<SentinelTopology> REDIS = RedisTopologyExtension
                .of(() -> SentinelTopology.builder().replicas(1).start())
                .then(redis -> {
                    writeVersion8(redis.primary());
                    redis.divergeReplica(0, STATE, "{\"state\":\"connecting\",\"version\":6}");
                    redis.divergeReplicaHashField(0, HASH, "v", "6");
                });

        @Test
        void replicaReadsThroughSentinelAreCheckedAndReread() throws Exception {
            assertGuarded("sentinel:" + REDIS.get().masterName(), join(REDIS.get().sentinels()),
                    REDIS.get().replica(0).hostAndPort());
        }
    }

    @Nested
    class Cluster {

        @RegisterExtension
        static final RedisTopologyExtension<ClusterTopology> REDIS = RedisTopologyExtension
                .of(() -> ClusterTopology.builder().start())
                .then(redis -> {
                    writeVersion8(redis.nodeForKey(STATE));
                    redis.awaitReplicated();
                    redis.divergeReplica(STATE, "{\"state\":\"connecting\",\"version\":6}");
                    redis.divergeReplicaHashField(HASH, "v", "6");
                });

        @Test
        void replicaReadsInAClusterAreCheckedAndReread() throws Exception {
            assertGuarded("cluster", join(REDIS.get().masters()), REDIS.get().replicaForKey(STATE).hostAndPort());
        }
    }
}
