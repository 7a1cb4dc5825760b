package io.stateguard.it.versions;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RespClient;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.probe.GuardVersionsProbe;
import io.stateguard.it.probe.WhichLettuceProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version guard ({@code routing=replica-checked}) on the Lettuce generations whose internals
 * differ most from the default one (5.3: {@code masterslave}, {@code MASTER}/{@code SLAVE} roles;
 * 6.1: nested {@code Intent}); 7.x is covered by the guard's own end-to-end tests. While the
 * replica's replication stream is held, the application writes version 7 of one key and reads
 * version 8 of another on the primary; the replica still has version 6 of both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardVersionsEndToEndTest {

    /**
     * Not database 0: the marks' database is read from the connection's {@code RedisURI} through fields whose
     * names differ between Lettuce 5 ({@code masterslave}) and 6+ ({@code masterreplica}).
     */
    private static final int DATABASE = 3;

    // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads to the
    // primary: this test is about the guard facing a stale replica.
    private static final String RULE = "keys=*:state:*;version=json:/version;routing=replica-checked;"
            + "max-replica-lag=1h";

    /** A primary and a replica behind a lag proxy, for the whole class; their logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    @ParameterizedTest(name = "Lettuce {0}")
    @ValueSource(strings = {"5.3.7.RELEASE", "6.1.10.RELEASE"})
    void rereadPrimaryAndFail(String version) throws Exception {
        String scenario = "v" + version.replace('.', '-');
        assertThat(run(version, scenario + "a", null)).as("without the agent the replica serves version 6")
                .containsAllEntriesOf(versions("6", "6"));

        Map<String, String> reread = run(version, scenario + "b", RULE);
        assertThat(reread).as("reread-primary: the newest version through every API")
                .containsAllEntriesOf(versions("7", "8"));
        InconsistencyEvents.assertExactly(reread.get("stderr"), events(scenario + "b", "reread_primary"));
        assertThat(reread.get("stderr")).doesNotContain("internal error").doesNotContain("[stateguard] ERROR");

        Map<String, String> fail = run(version, scenario + "c", RULE + ";on-regression=fail");
        String stale = "EXC:io.stateguard.agent.api.StaleStateException";
        Map<String, String> failed = versions(stale, stale);
        if (version.startsWith("5.")) {
            // Lettuce 5's sync API wraps every failure but a command error in a plain RedisException.
            String wrapped = "EXC:io.lettuce.core.RedisException:io.stateguard.agent.api.StaleStateException";
            failed.put("sync.written", wrapped);
            failed.put("sync.read", wrapped);
        }
        assertThat(fail).as("fail: StaleStateException through every API").containsAllEntriesOf(failed);
        InconsistencyEvents.assertExactly(fail.get("stderr"), events(scenario + "c", "failed"));
        assertThat(fail.get("stderr")).doesNotContain("internal error");
    }

    /**
     * What one run must report: the sync, async and reactive reads of the written key (mark 7) and of
     * the read key (mark 8) each got version 6 from the replica.
     */
    private List<InconsistencyEvents.Event> events(String scenario, String action) {
        return InconsistencyEvents.Expected.servedBy(REDIS.get().replica(0).hostAndPort())
                .repeat(3, api -> api
                        .regression(action, "default", DATABASE, scenario + ":state:written", "GET", 7, 6)
                        .regression(action, "default", DATABASE, scenario + ":state:read", "GET", 8, 6))
                .list();
    }

    /** Runs the probe with its own keys while the replica's replication is held. */
    private Map<String, String> run(String version, String scenario, String agentArgs) throws Exception {
        RedisNode primary = REDIS.get().primary();
        String written = scenario + ":state:written";
        String read = scenario + ":state:read";
        REDIS.get().lagProxy(0).resume();
        try (RespClient direct = client(primary)) {
            direct.call("SET", written, "{\"state\":\"connecting\",\"version\":6}");
            direct.call("SET", read, "{\"state\":\"connecting\",\"version\":6}");
        }
        REDIS.get().awaitReplicated();
        REDIS.get().lagProxy(0).pause();
        try {
            try (RespClient direct = client(primary)) {
                direct.call("SET", read, "{\"state\":\"open\",\"version\":8}");
            }
            ForkedJvm jvm = ForkedJvm.create().lettuceVersion(version);
            if (agentArgs != null) {
                jvm.withAgent(agentArgs);
            }
            ForkedJvm.Result result = jvm.run(WhichLettuceProbe.class.getName(), GuardVersionsProbe.class.getName(),
                    primary.hostAndPort() + "," + REDIS.get().replica(0).hostAndPort(), written, read,
                    Integer.toString(DATABASE)).assertSuccess();
            assertThat(result.values("lettuce.").get("jar")).contains("/" + version + "/");
            Map<String, String> values = new LinkedHashMap<>(result.values("probe."));
            assertThat(values.get("setup.read")).as(result.describe("reads version 8 on the primary")).isEqualTo("8");
            // The replica really was stale while the application read it (read directly, without the agent).
            try (RespClient replica = client(REDIS.get().replica(0))) {
                assertThat(replica.call("GET", written)).isEqualTo("{\"state\":\"connecting\",\"version\":6}");
                assertThat(replica.call("GET", read)).isEqualTo("{\"state\":\"connecting\",\"version\":6}");
            }
            values.put("stderr", result.stderr());
            return values;
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
    }

    private static Map<String, String> versions(String written, String read) {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String api : new String[] {"sync", "async", "reactive"}) {
            expected.put(api + ".written", written);
            expected.put(api + ".read", read);
        }
        return expected;
    }

    /** A RESP connection to {@code node} on {@link #DATABASE}. */
    private static RespClient client(RedisNode node) {
        RespClient client = node.newClient();
        client.call("SELECT", Integer.toString(DATABASE));
        return client;
    }
}
