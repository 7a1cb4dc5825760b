package io.stateguard.it.guard;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.StaleGuardKeys;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.it.support.InconsistencyEvents.Event;
import io.stateguard.it.probe.GuardProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;


import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version guard end to end, in a forked JVM with the agent: a replica whose replication stream
 * is held (through the harness's lag proxy) serves version 6 of keys the application has already
 * seen at versions 7 (its own write) and 8 (a read on the primary), and no value for a key the
 * application wrote at version 5. With {@code routing=replica-checked} the application's reads go
 * to that replica, and the policy decides what it gets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VersionGuardEndToEndTest {

    private static final String RULE = "keys=*:state:*;version=json:/version;routing=replica-checked;"
            + "rule.h.keys=*:hstate:*;rule.h.version=hash:v;rule.h.routing=replica-checked"
            // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads
            // to the primary: these tests are about the guard facing a stale replica.
            + ";max-replica-lag=1h";

    /** A primary and a replica behind a lag proxy, for the whole class; their logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    /**
     * Runs the probe for one scenario (its own keys) while the replica's replication is held;
     * {@code agentArgs == null} runs without the agent.
     */
    private Map<String, String> runProbe(String scenario, String agentArgs) throws Exception {
        RedisNode primary = REDIS.get().primary();
        StaleGuardKeys keys = StaleGuardKeys.of(scenario);
        keys.holdStaleReplica(REDIS.get());
        try {
            String nodes = primary.hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
            ForkedJvm jvm = agentArgs == null ? ForkedJvm.create() : ForkedJvm.create().withAgent(agentArgs);
            ForkedJvm.Result result = jvm.run(GuardProbe.class.getName(), nodes, keys.written, keys.read,
                    keys.missing, keys.hash, keys.wrongType)
                    .assertSuccess();
            Map<String, String> values = new LinkedHashMap<>(result.values("probe."));
            assertThat(values).as(result.describe("printed no values")).containsKey("setup.read");
            assertThat(values.get("setup.read")).isEqualTo("8");
            assertThat(values.get("setup.hash")).isEqualTo("8");
            assertThat(values.get("sync.multi")).as("MULTI/EXEC runs on the primary and is never checked")
                    .isEqualTo("7");
            assertThat(values.get("sync.wrongtype")).as("a WRONGTYPE error reaches the application unchanged")
                    .isEqualTo("EXC:io.lettuce.core.RedisCommandExecutionException");
            keys.assertReplicaWasStale(REDIS.get());
            values.put("stderr", result.stderr());
            return values;
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    private static Map<String, String> versions(String written, String read, String missing) {
        return versions(written, read, missing, read);
    }

    private static Map<String, String> versions(String written, String read, String missing, String hash) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("sync.hgetall", hash);
        expected.put("sync.hget", hash);
        expected.put("async.hmget", hash);
        for (String api : new String[] {"sync", "async", "reactive"}) {
            expected.put(api + ".written", written);
            expected.put(api + ".read", read);
            expected.put(api + ".missing", missing);
        }
        return expected;
    }

    /**
     * Every event one run of the probe must report under {@code action}: each of the three APIs reads
     * the written key (mark 7), the read key (mark 8) and the missing key (mark 5) on the replica, which
     * has version 6 of the first two and nothing for the third; the hash (mark 8) is read once each by
     * {@code HGETALL}, {@code HGET} and {@code HMGET}; {@code MGET} of the written and the read key
     * reports both. The transaction and the wrong-type read report nothing.
     */
    private List<Event> events(String scenario, String action) {
        return StaleGuardKeys.of(scenario).events(REDIS.get().replica(0).hostAndPort(), action, 3, "HGETALL", "HGET",
                "HMGET");
    }

    @Test
    void withoutTheAgentTheReplicaServesOldVersions() throws Exception {
        Map<String, String> values = runProbe("none", null);
        assertThat(values).containsAllEntriesOf(versions("6", "6", "nil"));
        assertThat(values.get("sync.mget")).isEqualTo("6|6");
        assertThat(values.get("stderr")).doesNotContain("[stateguard]");
    }

    @Test
    void rereadPrimaryReturnsTheNewestVersionThroughEveryApi() throws Exception {
        Map<String, String> values = runProbe("reread", RULE);
        assertThat(values).containsAllEntriesOf(versions("7", "8", "5"));
        assertThat(values.get("sync.mget")).isEqualTo("7|8");
        InconsistencyEvents.assertExactly(values.get("stderr"), events("reread", "reread_primary"));
        assertThat(values.get("stderr")).doesNotContain("internal error");
    }

    @Test
    void failCompletesTheCommandWithStaleStateException() throws Exception {
        Map<String, String> values = runProbe("fail", RULE + ";on-regression=fail");
        String stale = "EXC:io.stateguard.agent.api.StaleStateException";
        assertThat(values).containsAllEntriesOf(versions(stale, stale, stale));
        assertThat(values.get("sync.mget")).isEqualTo(stale);
        InconsistencyEvents.assertExactly(values.get("stderr"), events("fail", "failed"));
        assertThat(values.get("stderr")).doesNotContain("internal error");
    }

    @Test
    void reportReturnsTheReplicasValueAndReports() throws Exception {
        Map<String, String> values = runProbe("report", RULE + ";on-regression=report");
        assertThat(values).containsAllEntriesOf(versions("6", "6", "nil"));
        assertThat(values.get("sync.mget")).isEqualTo("6|6");
        InconsistencyEvents.assertExactly(values.get("stderr"), events("report", "reported"));
        assertThat(values.get("stderr")).doesNotContain("internal error");
    }
}
