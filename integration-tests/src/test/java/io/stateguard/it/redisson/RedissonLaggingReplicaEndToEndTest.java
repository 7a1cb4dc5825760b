package io.stateguard.it.redisson;

import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.RedissonProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's own measurement, for Redisson: a plain Redisson client ({@code ReadMode.SLAVE}) writes a state key
 * and reads it back at once, 200 times, while its replica replicates through a {@code LagProxy} 60 ms behind.
 * Without the agent the reads return the old value; with it none does, and the nodes' own
 * {@code INFO commandstats} show where the reads went: every {@code GET} of the state key to the master, every
 * {@code GET} of another key still to the replica.
 */
class RedissonLaggingReplicaEndToEndTest {

    private static final String STATE_KEY = "sg{t}:state:loop";
    private static final String OTHER_KEY = "sg{t}:cache:loop";
    private static final int ROUNDS = 200;

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    @BeforeEach
    void lag() {
        REDIS.get().lagProxy(0).setDelayMillis(60);
    }

    @AfterEach
    void noLag() {
        REDIS.get().lagProxy(0).setDelayMillis(0);
    }

    private static int stale(ForkedJvm jvm, String key, int rounds) throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        ForkedJvm.Result result = jvm.run(RedissonProbe.class.getName(), "masterslave",
                redis.primary().hostAndPort() + "," + redis.replicas().get(0).hostAndPort(), "SLAVE", "loop", key,
                String.valueOf(rounds)).assertSuccess();
        return Integer.parseInt(result.values("probe.").get("stale"));
    }

    /** Calls of {@code GET} on {@code node} since its last {@code CONFIG RESETSTAT}. */
    private static long gets(RedisNode node) {
        String stats = node.info("commandstats").get("cmdstat_get");
        if (stats == null) {
            return 0;
        }
        for (String field : stats.split(",")) {
            if (field.startsWith("calls=")) {
                return Long.parseLong(field.substring("calls=".length()));
            }
        }
        throw new IllegalStateException("no calls in " + stats);
    }

    @Test
    void writeThenReadUnderA60MsLagReturnsNoStaleValueWithTheAgent() throws Exception {
        assertThat(stale(ForkedJvm.create(), STATE_KEY, ROUNDS))
                .as("without the agent the lagging replica answers the read-back").isGreaterThan(ROUNDS / 2);

        RedisNode master = REDIS.get().primary();
        RedisNode replica = REDIS.get().replicas().get(0);
        master.command("CONFIG", "RESETSTAT");
        replica.command("CONFIG", "RESETSTAT");
        ForkedJvm withAgent = ForkedJvm.create().withAgent("keys=sg{t}:state:*");
        assertThat(stale(withAgent, STATE_KEY, ROUNDS)).as("stale read-backs with the agent").isZero();
        assertThat(gets(master)).as("GETs of the state key on the master").isEqualTo(ROUNDS);
        assertThat(gets(replica)).as("GETs of the state key on the replica").isZero();

        master.command("CONFIG", "RESETSTAT");
        replica.command("CONFIG", "RESETSTAT");
        assertThat(stale(ForkedJvm.create().withAgent("keys=sg{t}:state:*"), OTHER_KEY, 20))
                .as("another key keeps Redisson's routing, so it reads the lagging replica").isGreaterThan(0);
        assertThat(gets(replica)).as("GETs of the other key on the replica").isEqualTo(20);
        assertThat(gets(master)).as("GETs of the other key on the master").isZero();
    }
}
