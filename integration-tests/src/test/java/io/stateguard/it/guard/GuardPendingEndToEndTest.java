package io.stateguard.it.guard;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.it.probe.GuardPendingProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guard's map of commands awaiting their reply check does not leak, seen from outside the
 * application: with {@code log.level=debug} the agent logs at exit how many commands it still holds
 * ({@code guard: N commands pending a reply check at exit}). {@link GuardPendingProbe} makes the guard
 * remember 170 commands and ends them every way (completed, re-read, failed, cancelled, timed out,
 * connection closed). A command leaves the map when its reply is checked; the 10 whose replies never
 * arrive (closed connection) stay until the application lets go of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardPendingEndToEndTest {

    // The replica is held longer than the default max-replica-lag (1 s) on purpose, which would send its reads to the
    // primary: this test is about commands the guard holds while a stale replica answers.
    private static final String AGENT = "keys=*:state:*;version=json:/version;routing=replica-checked;log.level=debug;"
            + "max-replica-lag=1h";

    /** A primary and a replica behind a lag proxy, for the whole class; their logs are kept if a test fails. */
    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    @ParameterizedTest(name = "{0}: {1} pending at exit")
    @CsvSource({"hold, 10", "release, 0"})
    void noCommandStaysPendingOnceItsReplyCameOrTheApplicationLetGoOfIt(String mode, int pendingAtExit)
            throws Exception {
        String prefix = "pending-" + mode;
        REDIS.get().lagProxy(0).resume();
        REDIS.get().primary().command("HSET", prefix + ":state:wrong", "f", "v");
        REDIS.get().primary().command("SET", prefix + ":state:stored", "{\"state\":\"connecting\",\"version\":1}");
        REDIS.get().awaitReplicated();
        REDIS.get().lagProxy(0).pause(); // the application's own writes stay on the primary: its replica reads are re-read
        ForkedJvm.Result result;
        try {
            result = ForkedJvm.create().withAgent(AGENT).run(GuardPendingProbe.class.getName(), mode,
                    REDIS.get().primary().hostAndPort(), REDIS.get().replica(0).hostAndPort(), prefix).assertSuccess();
            assertThat(REDIS.get().replica(0).command("GET", prefix + ":state:0")).as("the replica was stale").isNull();
        } finally {
            REDIS.get().lagProxy(0).resume();
        }
        Map<String, String> values = result.values("probe.");
        assertThat(values).as(result.describe("ended its commands in every way")).containsEntry("completed", "90")
                .containsEntry("reread", "30")
                .containsEntry("failed", "20").containsEntry("cancelled", "5").containsEntry("timedOut", "5")
                .containsEntry("closed", "10")
                .containsEntry("collected", mode.equals("hold") ? "none" : "true");
        assertThat(result.stderr().lines().filter(line -> line.contains("pending a reply check")))
                .as(result.describe("logged its pending commands at exit"))
                .containsExactly("[stateguard] DEBUG guard: " + pendingAtExit + " commands pending a reply check at exit");
    }
}
