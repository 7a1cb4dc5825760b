package io.stateguard.it.guard;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.it.probe.SoakProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.harness.RedisTopologyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A healthy system is silent: two gateway processes ({@link SoakProbe}, each a forked JVM with the agent)
 * work on the same instances' state at once, with versions that interleave (one may write an older version
 * after the other's newer one), keys with short times to live, {@code SET NX} locks the other process holds,
 * and deletes: ordinary Redis semantics, which must raise no inconsistency and throw no exception, under
 * {@code on-regression=fail}, over 2 x 10,000 operations (half of them reads of state keys). Then the same
 * workload against a replica behind a 60 ms lag raises events, and every one of them is a replica behind
 * the primary, never a lost write.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardSoakEndToEndTest {

    private static final int OPERATIONS = 10_000;

    private static final Pattern TYPES = Pattern.compile("type=(version_regression|missing|deleted_value) ");

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    private List<ForkedJvm.Result> soak(String agentArguments, String readFrom, int instances) throws Exception {
        String nodes = REDIS.get().primary().hostAndPort() + "," + REDIS.get().replica(0).hostAndPort();
        List<ForkedJvm.Running> running = new ArrayList<>();
        List<ForkedJvm.Result> results = new ArrayList<>();
        try {
            for (int process = 0; process < 2; process++) {
                running.add(ForkedJvm.create().withAgent(agentArguments).start(SoakProbe.class.getName(), nodes,
                        readFrom, Integer.toString(OPERATIONS), Integer.toString(instances),
                        Integer.toString(17 + process)));
            }
            for (ForkedJvm.Running each : running) {
                results.add(each.await(Duration.ofMinutes(4)).assertSuccess());
            }
        } finally {
            for (ForkedJvm.Running each : running) {
                each.close();
            }
        }
        return results;
    }

    @Test
    void ordinaryRedisSemanticsRaiseNothingUnderEveryRouting() throws Exception {
        REDIS.get().lagProxy(0).setDelayMillis(0);
        REDIS.get().lagProxy(0).resume();
        // routing=primary: every state read is the primary's; replica-checked with reads the primary serves:
        // every suspicion is confirmed on the primary. Neither may see a regression in a healthy system.
        for (String[] run : new String[][] {{"primary", "replicaPreferred"}, {"replica-checked", "upstream"}}) {
            String agent = "keys=soak:state:*;version=json:/version;routing=" + run[0] + ";on-regression=fail";
            for (ForkedJvm.Result result : soak(agent, run[1], 8)) {
                Map<String, String> values = result.values("probe.");
                assertThat(values.get("exceptions")).as("%s: %s", run[0], result.describe("threw nothing"))
                        .isEqualTo("0");
                assertThat(InconsistencyEvents.parse(result.stderr())).as("%s: %s", run[0], result.stderr()).isEmpty();
                assertThat(result.stderr()).doesNotContain("internal error");
            }
        }
    }

    @Test
    void aLaggingReplicaRaisesOnlyReplicaEventsNeverALostWrite() throws Exception {
        REDIS.get().lagProxy(0).resume();
        REDIS.get().lagProxy(0).setDelayMillis(60);
        try {
            String agent = "keys=soak:state:*;version=json:/version;routing=replica-checked;on-regression=report";
            // Many events: the agent logs at most 10 a second, so every logged line is looked at (not the full list).
            List<String> events = new ArrayList<>();
            for (ForkedJvm.Result result : soak(agent, "replica", 8)) {
                assertThat(result.values("probe.").get("exceptions")).as(result.describe("threw nothing")).isEqualTo("0");
                assertThat(result.stderr()).doesNotContain("internal error");
                result.stderr().lines().filter(line -> line.contains("WARN inconsistency type=")).forEach(events::add);
            }
            assertThat(events).as("a replica 60 ms behind is caught").isNotEmpty();
            assertThat(events).as("confirmed by the primary, served by the replica, and nothing failed over")
                    .allMatch(line -> TYPES.matcher(line).find() && line.contains(" role=replica"));
        } finally {
            REDIS.get().lagProxy(0).setDelayMillis(0);
        }
    }
}
