package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonGuardProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.StaleGuardKeys;
import io.stateguard.it.support.InconsistencyEvents.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version guard for Redisson, end to end, in a forked JVM with the agent, as {@code VersionGuardEndToEndTest}
 * is for Lettuce: a replica whose replication stream is held (the harness's lag proxy) serves version 6 of keys the
 * application has already seen at versions 7 (its own write) and 8 (a read on the master), and no value for a key it
 * wrote at version 5. With {@code routing=replica-checked} the Redisson application's reads stay on that replica
 * ({@code ReadMode.SLAVE}), and the rule's {@code on-regression} policy decides what it gets, with the same events
 * as for Lettuce.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedissonGuardEndToEndTest {

    private static final String RULE = "keys=*:state:*;version=json:/version;routing=replica-checked;"
            + "rule.h.keys=*:hstate:*;rule.h.version=hash:v;rule.h.routing=replica-checked"
            // The replica is held longer than the default max-replica-lag on purpose: these tests are about the
            // guard facing a stale replica.
            + ";max-replica-lag=1h";

    /** What the probe prints for a stale read failed by the agent: Redisson's exception, caused by the agent's. */
    private static final String STALE = "EXC:org.redisson.client.RedisException:io.stateguard.agent.api.StaleStateException";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    private Map<String, String> runProbe(String scenario, String agentArgs) throws Exception {
        return runProbe(scenario, agentArgs, ForkedJvm.create());
    }

    /**
     * Runs the probe for one scenario (its own keys) while the replica's replication is held; {@code agentArgs ==
     * null} runs without the agent.
     */
    private Map<String, String> runProbe(String scenario, String agentArgs, ForkedJvm jvm) throws Exception {
        RedisNode primary = REDIS.get().primary();
        StaleGuardKeys keys = StaleGuardKeys.of(scenario);
        keys.holdStaleReplica(REDIS.get());
        try {
            String nodes = primary.hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
            ForkedJvm.Result result = (agentArgs == null ? jvm : jvm.withAgent(agentArgs))
                    .run(RedissonGuardProbe.class.getName(), nodes, "string", keys.written, keys.read,
                    keys.missing, keys.hash, keys.wrongType)
                    .assertSuccess();
            Map<String, String> values = new LinkedHashMap<>(result.values("probe."));
            assertThat(values).as(result.describe("printed no values")).containsKey("setup.read");
            assertThat(values.get("setup.read")).isEqualTo("8");
            assertThat(values.get("setup.hash")).isEqualTo("8");
            assertThat(values.get("batch.written")).as("a batch's replies are never checked").isEqualTo("6");
            assertThat(values.get("sync.wrongtype")).as("a WRONGTYPE error reaches the application unchanged")
                    .isEqualTo("EXC:org.redisson.client.RedisException");
            keys.assertReplicaWasStale(REDIS.get());
            values.put("stderr", result.stderr());
            return values;
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    private static Map<String, String> versions(String written, String read, String missing, String hash) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String api : new String[] {"sync", "async", "reactive", "rx"}) {
            expected.put(api + ".written", written);
            expected.put(api + ".read", read);
            expected.put(api + ".missing", missing);
        }
        expected.put("map.get", hash);
        expected.put("map.getAll", hash);
        expected.put("map.readAllMap", hash);
        return expected;
    }

    /**
     * Every event one run must report under {@code action}: each of the four APIs reads the written key (mark 7),
     * the read key (mark 8) and the missing key (mark 5) on the replica, which has version 6 of the first two and
     * nothing for the third; the hash (mark 8) is read once each by {@code HGET}, {@code HMGET} and
     * {@code HGETALL}; {@code MGET} of the written and the read key reports both. The batch and the wrong-type read
     * report nothing.
     */
    private List<Event> events(String scenario, String action) {
        return StaleGuardKeys.of(scenario).events(REDIS.get().replica(0).hostAndPort(), action, 4, "HGET", "HMGET", "HGETALL");
    }

    @Test
    void withoutTheAgentTheReplicaServesOldVersions() throws Exception {
        Map<String, String> values = runProbe("rnone", null);
        assertThat(values).containsAllEntriesOf(versions("6", "6", "nil", "6"));
        assertThat(values.get("buckets.get")).isEqualTo("6|6");
        assertThat(values.get("stderr")).doesNotContain("[stateguard]");
    }

    @Test
    void rereadPrimaryReturnsTheNewestVersionThroughEveryApi() throws Exception {
        Map<String, String> values = runProbe("rreread", RULE);
        assertThat(values).containsAllEntriesOf(versions("7", "8", "5", "8"));
        assertThat(values.get("buckets.get")).isEqualTo("7|8");
        InconsistencyEvents.assertExactly(values.get("stderr"), events("rreread", "reread_primary"));
        assertThat(values.get("stderr")).doesNotContain("internal error").doesNotContain("does not check");
    }

    @Test
    void failCompletesTheCommandWithStaleStateException() throws Exception {
        Map<String, String> values = runProbe("rfail", RULE + ";on-regression=fail");
        assertThat(values).containsAllEntriesOf(versions(STALE, STALE, STALE, STALE));
        assertThat(values.get("buckets.get")).isEqualTo(STALE);
        InconsistencyEvents.assertExactly(values.get("stderr"), events("rfail", "failed"));
        assertThat(values.get("stderr")).doesNotContain("internal error");
    }

    @Test
    void reportReturnsTheReplicasValueAndReports() throws Exception {
        Map<String, String> values = runProbe("rreport", RULE + ";on-regression=report");
        assertThat(values).containsAllEntriesOf(versions("6", "6", "nil", "6"));
        assertThat(values.get("buckets.get")).isEqualTo("6|6");
        InconsistencyEvents.assertExactly(values.get("stderr"), events("rreport", "reported"));
        assertThat(values.get("stderr")).doesNotContain("internal error");
    }

    /** The version matrix: the oldest supported 3.x and the newest 3.x re-read as 4.0 does. */
    @ParameterizedTest(name = "Redisson {0}")
    @ValueSource(strings = {"3.16.8", "3.52.0"})
    void otherRedissonVersions(String version) throws Exception {
        String scenario = "rv" + version.replace(".", "");
        Map<String, String> values = runProbe(scenario, RULE, ForkedJvm.create().redissonVersion(version));
        assertThat(values).containsAllEntriesOf(versions("7", "8", "5", "8"));
        assertThat(values.get("buckets.get")).isEqualTo("7|8");
        InconsistencyEvents.assertExactly(values.get("stderr"), events(scenario, "reread_primary"));
        assertThat(values.get("stderr")).contains("redisson-" + version + ".jar").doesNotContain("internal error");
    }

    /**
     * Redisson's default codec, {@code Kryo5Codec}, writes binary values: the version cannot be read, which the
     * agent says once, naming the codec; nothing is reported, and the application gets its values as without the
     * agent.
     */
    @Test
    void aCodecThatHidesTheVersionIsNamedOnceAndNothingIsReported() throws Exception {
        String nodes = REDIS.get().primary().hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
        ForkedJvm.Result result = ForkedJvm.create().withAgent(RULE)
                .run(RedissonGuardProbe.class.getName(), nodes, "kryo", "rkryo:state:written", "rkryo:state:read",
                        "rkryo:state:missing", "rkryo:hstate:1", "rkryo:state:hash")
                .assertSuccess();
        assertThat(result.values("probe.")).as(result.describe("the application's values"))
                .containsEntry("kryo.primary", "7");
        assertThat(result.stderr().lines().filter(line -> line.contains("cannot be read from a value Redisson encoded"
                + " with org.redisson.codec.Kryo5Codec"))).as(result.describe("said once")).hasSize(1);
        assertThat(InconsistencyEvents.parse(result.stderr())).isEmpty();
        assertThat(result.stderr()).doesNotContain("internal error");
    }

    /**
     * A JSON codec ({@code TypedJsonJacksonCodec} of maps): the version is read from the JSON the codec wrote, before
     * it decodes it into a map; with {@code reread-primary} every API gets the master's version, with one event per
     * stale read.
     */
    @Test
    void aJsonCodecsValuesAreCheckedAsWritten() throws Exception {
        RedisNode primary = REDIS.get().primary();
        StaleGuardKeys keys = StaleGuardKeys.of("rjson");
        keys.holdStaleReplica(REDIS.get());
        try {
            String nodes = primary.hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
            ForkedJvm.Result result = ForkedJvm.create().withAgent(RULE).run(RedissonGuardProbe.class.getName(), nodes,
                    "json", keys.written, keys.read, keys.missing, keys.hash, keys.wrongType).assertSuccess();
            Map<String, String> values = result.values("probe.");
            assertThat(values).as(result.describe("the master's versions through every API"))
                    .containsEntry("setup.read", "8");
            for (String api : new String[] {"sync", "async", "reactive", "rx"}) {
                assertThat(values).containsEntry(api + ".written", "7").containsEntry(api + ".read", "8")
                        .containsEntry(api + ".missing", "5");
            }
            String replica = REDIS.get().replica(0).hostAndPort();
            InconsistencyEvents.assertExactly(result.stderr(), InconsistencyEvents.Expected.servedBy(replica)
                    .repeat(4, api -> api
                            .regression("reread_primary", "default", 0, keys.written, "GET", 7, 6)
                            .regression("reread_primary", "default", 0, keys.read, "GET", 8, 6)
                            .missing("reread_primary", "default", 0, keys.missing, "GET", 5))
                    .list());
            assertThat(result.stderr()).doesNotContain("internal error").doesNotContain("cannot be read from a value");
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }
}
