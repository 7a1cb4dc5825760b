package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonSpringDataProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Data Redis on Redisson's {@code RedissonConnectionFactory} (redisson-spring-data-35 3.52.0, Spring Data
 * Redis 3.5.5, Redisson 3.52.0), which hands Redisson {@code byte[]} keys: state keys from the master with the
 * agent, every read from the stale replica without it.
 */
class RedissonSpringDataEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    private static ForkedJvm.Result run(ForkedJvm jvm) throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        String[] keys = StaleReplicaFixture.probeKeys();
        return jvm.redissonVersion("3.52.0").run(RedissonSpringDataProbe.class.getName(), "masterslave",
                redis.primary().hostAndPort() + "," + redis.replicas().get(0).hostAndPort(), "SLAVE", keys[0], keys[1],
                keys[2], keys[3]).assertSuccess();
    }

    private static Map<String, String> expected(String state, String creds, String mget) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("template.state", state);
        values.put("template.other", "replica-cache");
        values.put("template.hget", creds);
        values.put("template.mget", mget);
        values.put("reactive.state", state);
        values.put("reactive.other", "replica-cache");
        return values;
    }

    @Test
    void springDataReadsOfStateKeysGoToTheMaster() throws Exception {
        ForkedJvm.Result without = run(ForkedJvm.create());
        assertThat(without.values("probe.")).as(without.describe("without the agent every read is served by the replica"))
                .containsExactlyInAnyOrderEntriesOf(expected("connecting", "replica-creds", "replica-cache|connecting"));

        ForkedJvm.Result result = run(ForkedJvm.create().withAgent(StaleReplicaFixture.AGENT_ARGS));
        assertThat(result.values("probe.")).as(result.describe("with the agent, state keys from the master"))
                .containsExactlyInAnyOrderEntriesOf(expected("open", "primary-creds", "primary-cache|open"));
        assertThat(result.stderr())
                .contains("[stateguard] INFO Redisson from redisson-3.52.0.jar: applying redisson-3.16.8+")
                .doesNotContain("[stateguard] WARN").doesNotContain("internal error");
    }
}
