package io.stateguard.agent.redisson;

import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redisson.client.protocol.RedisCommand;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code readOnlyMode} flag the Redisson advice hands back, with real Redisson command objects. */
class RedissonRoutingTest {

    /** An executor of the shape of Redisson's client-side caching one ({@code copy(true)}). */
    public static final class TrackingExecutor {
        public boolean isTrackChanges() {
            return true;
        }
    }

    /** An executor of a Redisson with the method, not tracking. */
    public static final class PlainExecutor {
        public boolean isTrackChanges() {
            return false;
        }
    }

    private static final RedisCommand<Object> GET = new RedisCommand<>("GET");
    private static final RedisCommand<Object> MGET = new RedisCommand<>("MGET");

    @BeforeEach
    void install() {
        PrimaryRouting.install(RoutingPolicy.of(ConfigLoader.load("keys=gw:state:*", new HashMap<>(), new Properties())
                .rules()));
    }

    @AfterEach
    void uninstall() {
        PrimaryRouting.uninstall();
    }

    @Test
    void aReadOfAStateKeyTurnsTheFlagOffAndNothingElseDoes() throws Exception {
        assertThat(RedissonRouting.readOnlyMode(true, new Object(), null, GET, new Object[] {"gw:state:a"})).isFalse();
        assertThat(RedissonRouting.readOnlyMode(true, new PlainExecutor(), null, MGET, new Object[] {"x", "gw:state:a"}))
                .isFalse();
        assertThat(RedissonRouting.readOnlyMode(true, new Object(), null, GET, new Object[] {"other"})).isTrue();
        assertThat(RedissonRouting.readOnlyMode(false, new Object(), null, GET, new Object[] {"gw:state:a"}))
                .as("a write stays a write").isFalse();
        assertThat(RedissonRouting.evalReadOnlyMode(true, new Object(), Arrays.asList("other", "gw:state:a"))).isFalse();
        assertThat(RedissonRouting.evalReadOnlyMode(true, new Object(), Arrays.asList("other"))).isTrue();
    }

    @Test
    void anExecutorThatTracksChangesKeepsRedissonsRouting() throws Exception {
        assertThat(RedissonRouting.readOnlyMode(true, new TrackingExecutor(), null, GET, new Object[] {"gw:state:a"})).isTrue();
        assertThat(RedissonRouting.evalReadOnlyMode(true, new TrackingExecutor(), Arrays.asList("gw:state:a")))
                .isTrue();
    }

    @Test
    void withoutTheAgentActiveTheFlagIsUnchanged() throws Exception {
        PrimaryRouting.uninstall();
        assertThat(RedissonRouting.readOnlyMode(true, new Object(), null, GET, new Object[] {"gw:state:a"})).isTrue();
    }
}
