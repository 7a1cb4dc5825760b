package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar stateguard-agent.jar attach <pid>} against a running Redisson application whose client is
 * connected and reading a state key from a stale replica: after the attach, the same client reads the state key
 * from the master through every API (its already loaded classes are retransformed), the other key still from
 * the replica.
 */
class RedissonAttachEndToEndTest {

    private static final String REPLICA_ROUND = "connecting|connecting|connecting|connecting|replica-cache";

    private static final String MASTER_ROUND = "open|open|open|open|replica-cache";

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.staleMasterReplica();

    @Test
    void attachingSwitchesTheRunningClientToTheMasterForStateKeys() throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        String nodes = redis.primary().hostAndPort() + "," + redis.replicas().get(0).hostAndPort();
        try (ForkedJvm.Running app = ForkedJvm.create().start(RedissonProbe.class.getName(), "masterslave", nodes,
                "SLAVE", "rounds", StaleReplicaFixture.STATE_KEY, StaleReplicaFixture.OTHER_KEY, "400", "50")) {
            app.awaitLine(line -> line.startsWith("round.3="), Duration.ofSeconds(30));
            assertThat(rounds(app)).as(app.describe("reads the stale replica before the attach"))
                    .allMatch(round -> round.equals(REPLICA_ROUND));

            ForkedJvm.Result attach = ForkedJvm.create().runJar(ForkedJvm.agentJar(), "attach",
                    String.valueOf(app.pid()), StaleReplicaFixture.AGENT_ARGS);
            assertThat(attach.exitCode()).as(attach.describe("attach must succeed")).isZero();
            assertThat(attach.stdout()).as(attach.describe("reports the result"))
                    .contains(": active (attached); rules: default{keys=sg{t}:state:*")
                    .contains("org.redisson.command.CommandAsyncService");

            app.awaitLine(line -> line.endsWith("=" + MASTER_ROUND), app.stdoutLines().size(), Duration.ofSeconds(20));
            int switched = rounds(app).indexOf(MASTER_ROUND);
            app.awaitLine(line -> line.startsWith("round." + (switched + 4) + "="), Duration.ofSeconds(20));
            List<String> rounds = rounds(app);
            assertThat(rounds.subList(switched, rounds.size()))
                    .as(app.describe("every round after the switch reads state keys from the master"))
                    .allMatch(round -> round.equals(MASTER_ROUND));
            assertThat(app.stdoutLines()).as("one client, never recreated").containsOnlyOnce("connected");
            assertThat(app.stderr())
                    .contains("[stateguard] INFO Redisson from redisson-4.0.0.jar: applying redisson-3.16.8+")
                    // CommandBatchService is not loaded by an application that never batches: woven when it loads
                    .contains("[stateguard] INFO instrumented org.redisson.command.CommandAsyncService (retransformed)")
                    .doesNotContain("[stateguard] WARN");
        }
    }

    private static List<String> rounds(ForkedJvm.Running app) throws Exception {
        return app.stdoutLines().stream().filter(line -> line.startsWith("round."))
                .map(line -> line.substring(line.indexOf('=') + 1)).toList();
    }
}
