package io.stateguard.it.replication;

import io.stateguard.it.support.CommandStats;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import io.stateguard.it.support.InconsistencyEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code routing=causal} for an application whose ACL user may not run {@code INFO} ({@code -info}, on the
 * primary and on the replica): the agent's monitor connects as that user, as the application does, and is
 * refused, so no offset is known and causal reads fail safe to the primary. The replica is 60 ms behind (the
 * harness's lag proxy): without the agent the application's write-then-read loop reads old values from it; with
 * the agent none is stale and the replica serves no read, and each refusing node is named in exactly one warning.
 * Keys written long ago, which the replica serves for a user allowed {@code INFO}, are read from the primary too.
 */
class InfoDeniedCausalEndToEndTest {

    private static final String USER = "app";
    private static final String PASSWORD = "secret";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    @BeforeAll
    static void applicationUserWithoutInfo() {
        for (RedisNode node : REDIS.get().nodes()) {
            node.command("ACL", "SETUSER", USER, "on", ">" + PASSWORD, "~*", "+@all", "-info");
        }
    }

    @AfterAll
    static void removeApplicationUser() {
        for (RedisNode node : REDIS.get().nodes()) {
            node.command("ACL", "DELUSER", USER);
        }
    }

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    private static ForkedJvm asApplicationUser(ForkedJvm jvm) {
        return jvm.jvmArg("-Dprobe.user=" + USER).jvmArg("-Dprobe.password=" + PASSWORD);
    }

    @Test
    void causalReadsFallBackToThePrimaryWithOneWarningPerRefusingNode() throws Exception {
        RedisNode primary = REDIS.get().primary();
        RedisNode replica = REDIS.get().replica(0);
        assertThat(primary.command("ACL", "DRYRUN", USER, "INFO", "replication").toString())
                .as("the user may not run INFO").contains("no permissions");

        ForkedJvm.Result without = asApplicationUser(ForkedJvm.create())
                .run(CausalProbe.class.getName(), "write-read", nodes(), "noinfo:state:", "4", "50").assertSuccess();
        assertThat(Long.parseLong(without.values("").get("stale")))
                .as(without.describe("without the agent, the replica 60 ms behind answers with old values"))
                .isGreaterThan(100);

        long replicaBefore = CommandStats.calls(replica, "get");
        long primaryBefore = CommandStats.calls(primary, "get");
        ForkedJvm.Result with = asApplicationUser(ForkedJvm.create().withAgent("keys=noinfo:state:*;routing=causal"))
                .run(CausalProbe.class.getName(), "write-read", nodes(), "noinfo:state:", "4", "50").assertSuccess();
        long fromReplica = CommandStats.calls(replica, "get") - replicaBefore;
        long fromPrimary = CommandStats.calls(primary, "get") - primaryBefore;

        assertThat(with.values("")).as(with.describe("no stale read")).containsEntry("stale", "0")
                .containsEntry("reads", "200");
        assertThat(fromReplica).as(with.describe("the replica served no read (primary: " + fromPrimary + ")"))
                .isZero();
        assertThat(fromPrimary).isGreaterThanOrEqualTo(200);

        List<String> warnings = with.stderr().lines().filter(line -> line.contains("refused INFO replication"))
                .collect(Collectors.toList());
        assertThat(warnings).as(with.describe("one warning per refusing node")).hasSize(2);
        for (RedisNode node : List.of(primary, replica)) {
            assertThat(warnings.stream().filter(line -> line.contains(node.hostAndPort())))
                    .as(with.describe("one warning names " + node)).singleElement().asString()
                    .startsWith("[stateguard] WARN replication monitor: " + node.hostAndPort())
                    .contains("NOPERM", "causal reads of its shard go to the primary");
        }
        assertThat(with.stderr()).doesNotContain("internal error");
        assertThat(InconsistencyEvents.parse(with.stderr())).isEmpty();
    }

    /**
     * Keys written long ago, which causal routing reads from the replica when its offsets are known (the
     * default user, allowed {@code INFO}), go to the primary for the user without {@code INFO}.
     */
    @Test
    void keysWrittenLongAgoAreReadFromThePrimaryWhenOffsetsCannotBeRead() throws Exception {
        RedisNode replica = REDIS.get().replica(0);
        String causal = "keys=noinfo:old:*;routing=causal";

        long before = CommandStats.calls(replica, "get");
        ForkedJvm.Result allowed = ForkedJvm.create().withAgent(causal)
                .run(CausalProbe.class.getName(), "written-long-ago", nodes(), "noinfo:old:default:", "20", "10",
                        "500")
                .assertSuccess();
        long fromReplica = CommandStats.calls(replica, "get") - before;
        assertThat(fromReplica).as(allowed.describe("a user allowed INFO reads from the replica: " + fromReplica))
                .isGreaterThanOrEqualTo(180);

        before = CommandStats.calls(replica, "get");
        ForkedJvm.Result denied = asApplicationUser(ForkedJvm.create().withAgent(causal))
                .run(CausalProbe.class.getName(), "written-long-ago", nodes(), "noinfo:old:app:", "20", "10", "500")
                .assertSuccess();
        fromReplica = CommandStats.calls(replica, "get") - before;
        assertThat(denied.values("")).containsEntry("stale", "0").containsEntry("reads", "200");
        assertThat(fromReplica).as(denied.describe("the user without INFO reads from the primary: " + fromReplica))
                .isZero();
        assertThat(denied.stderr().lines().filter(line -> line.contains("refused INFO replication")))
                .as(denied.describe("one warning per refusing node")).hasSize(2);
    }
}
