package io.stateguard.agent.replication;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.lettuce.CommandKeys;
import io.stateguard.agent.lettuce.LettuceDispatch;
import io.stateguard.agent.redisson.RedissonKeys;
import io.stateguard.agent.routing.CausalWrites;
import io.stateguard.agent.routing.PrimaryRouting;
import io.stateguard.agent.routing.RoutingPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.HashMap;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing decision of {@code causal} and {@code replica-checked} rules, from the rules, the command being
 * written and the monitor's published view to the intent: Lettuce's READ (the application's ReadFrom) or
 * WRITE (the primary).
 */
class CausalRoutingTest {

    enum Intent { READ, WRITE }

    private static final long MS = 1_000_000L;
    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 7100);
    private static final Endpoint REPLICA = new Endpoint("127.0.0.1", 7101);

    private final AtomicLong clock = new AtomicLong(5_000 * MS);
    private final ReplicationMonitor monitor = new ReplicationMonitor(50 * MS, null, clock::get, false);
    private final ReplicationMonitorTest.Scripted topology = new ReplicationMonitorTest.Scripted(
            new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
    private final ReplicationMonitor.TopologyFactory factory = client -> client == topology.client ? topology : null;

    @AfterEach
    void uninstall() {
        PrimaryRouting.exit();
        PrimaryRouting.uninstall();
        ReplicationMonitor.uninstall();
    }

    private void install(String settings) {
        PrimaryRouting.install(RoutingPolicy.of(ConfigLoader.load(settings, new HashMap<>(), new Properties()).rules()));
        ReplicationMonitor.addFactory(factory);
        ReplicationMonitor.install(monitor);
    }

    /** One poll round in which the primary is at {@code primaryOffset} and the replica has applied {@code applied}. */
    private void round(long primaryOffset, long applied) {
        clock.addAndGet(50 * MS);
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, primaryOffset));
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, applied, true));
        monitor.view(topology.client, -1);
        monitor.tick();
    }

    private Object read(CommandType type, String... keys) {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
        for (String key : keys) {
            args.addKey(key);
        }
        PrimaryRouting.enter(CommandKeys.READER, topology.client,
                new AsyncCommand<>(new Command<>(type, new ValueOutput<>(StringCodec.UTF8), args)));
        try {
            return LettuceDispatch.routeIntent(Intent.READ);
        } finally {
            PrimaryRouting.exit();
        }
    }

    /** Writes {@code key} as the application does: dispatched with a WRITE intent, its reply arriving now. */
    private void write(String key) {
        AsyncCommand<String, String, String> set = new AsyncCommand<>(new Command<>(CommandType.SET,
                new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(key).addValue("v")));
        PrimaryRouting.enter(CommandKeys.READER, topology.client, set);
        try {
            assertThat(LettuceDispatch.routeIntent(Intent.WRITE)).isSameAs(Intent.WRITE);
        } finally {
            PrimaryRouting.exit();
        }
        CausalWrites.completed(CausalWrites.take(set));
    }

    @Test
    void causalReadsGoToThePrimaryUntilTheMonitorKnowsTheReplicas() {
        install("keys=s:*;routing=causal");
        assertThat(read(CommandType.GET, "s:1")).as("nothing polled yet").isSameAs(Intent.WRITE);
        round(100, 100);
        assertThat(read(CommandType.GET, "s:1")).as("caught up, never written here").isSameAs(Intent.READ);
        assertThat(read(CommandType.GET, "other")).as("no rule: the application's routing").isSameAs(Intent.READ);
    }

    @Test
    void aKeyThisProcessWroteIsReadFromReplicasOnceTheyAppliedIt() {
        install("keys=s:*;routing=causal");
        round(100, 100);
        write("s:1");
        assertThat(read(CommandType.GET, "s:1")).as("no sample since the write").isSameAs(Intent.WRITE);
        assertThat(read(CommandType.GET, "s:2")).as("another key").isSameAs(Intent.READ);
        round(140, 100);
        assertThat(read(CommandType.GET, "s:1")).as("replica at 100 < 140").isSameAs(Intent.WRITE);
        assertThat(read(CommandType.MGET, "s:2", "s:3")).as("several keys: any causal write counts")
                .isSameAs(Intent.WRITE);
        round(140, 140);
        assertThat(read(CommandType.GET, "s:1")).isSameAs(Intent.READ);
        assertThat(read(CommandType.MGET, "s:2", "s:3")).isSameAs(Intent.READ);
    }

    @Test
    void replicasBeyondTheLagBoundAreSkipped() {
        install("keys=s:*;routing=causal;max-replica-lag=20ms;rule.v.keys=v:*;rule.v.routing=replica-checked;"
                + "rule.v.version=json:/v;rule.v.max-replica-lag=1s");
        round(100, 100);
        round(200, 150);
        round(300, 150); // applied 150 covers the sample of 100 rounds ago: lag ~100 ms
        assertThat(read(CommandType.GET, "s:1")).as("causal, 20 ms bound").isSameAs(Intent.WRITE);
        assertThat(read(CommandType.GET, "v:1")).as("replica-checked, 1 s bound").isSameAs(Intent.READ);
    }

    @Test
    void replicaCheckedKeepsTheApplicationsRoutingWhenTheLagIsUnknown() {
        install("keys=v:*;routing=replica-checked;version=json:/v;max-replica-lag=20ms");
        assertThat(read(CommandType.GET, "v:1")).isSameAs(Intent.READ);
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, "NOPERM no permissions to run the 'info' command");
        monitor.view(topology.client, -1);
        monitor.tick();
        assertThat(read(CommandType.GET, "v:1")).as("its replies are checked anyway").isSameAs(Intent.READ);
    }

    @Test
    void withoutAMonitorCausalFailsSafeToThePrimary() {
        PrimaryRouting.install(RoutingPolicy.of(ConfigLoader.load("keys=s:*;routing=causal", new HashMap<>(),
                new Properties()).rules()));
        assertThat(read(CommandType.GET, "s:1")).isSameAs(Intent.WRITE);
    }

    @Test
    void replicaCheckedSkipsAReplicaKnownToLagBeyondTheBound() {
        install("keys=v:*;routing=replica-checked;version=json:/v;max-replica-lag=80ms");
        round(100, 100);
        round(200, 100);
        assertThat(read(CommandType.GET, "v:1")).as("covers the sample of 50 ms ago: within 80 ms")
                .isSameAs(Intent.READ);
        round(300, 100);
        assertThat(read(CommandType.GET, "v:1")).as("covers a sample of 100 ms ago: beyond 80 ms")
                .isSameAs(Intent.WRITE);
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
        assertThat(PrimaryRouting.stats().checked(0)).as("replica-checked reads are counted by the guard").isZero();
    }

    @Test
    void causalReadsAreCountedWhereverTheyGo() {
        install("keys=s:*;routing=causal");
        read(CommandType.GET, "s:1");
        round(100, 100);
        read(CommandType.GET, "s:1");
        read(CommandType.GET, "s:2");
        assertThat(PrimaryRouting.stats().routed(0)).as("to the primary").isEqualTo(1);
        assertThat(PrimaryRouting.stats().checked(0)).as("served by replicas").isEqualTo(2);
    }

    @Test
    void aCausalWriteRegistersItsTopologyAndIsPendingUntilItsReply() {
        install("keys=s:*;routing=causal");
        assertThat(CausalWrites.nothingPending()).isTrue();
        AsyncCommand<String, String, String> set = new AsyncCommand<>(new Command<>(CommandType.SET,
                new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey("s:9").addValue("v")));
        PrimaryRouting.enter(CommandKeys.READER, topology.client, set);
        try {
            LettuceDispatch.routeIntent(Intent.WRITE);
        } finally {
            PrimaryRouting.exit();
        }
        assertThat(monitor.monitoredCount()).as("watched from the write on").isEqualTo(1);
        assertThat(CausalWrites.nothingPending()).isFalse();
        long[] hashes = CausalWrites.take(set);
        assertThat(hashes).hasSize(1);
        assertThat(CausalWrites.nothingPending()).isTrue();
        AsyncCommand<String, String, String> other = new AsyncCommand<>(new Command<>(CommandType.SET,
                new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey("x:9").addValue("v")));
        PrimaryRouting.enter(CommandKeys.READER, topology.client, other);
        try {
            LettuceDispatch.routeIntent(Intent.WRITE);
        } finally {
            PrimaryRouting.exit();
        }
        assertThat(CausalWrites.take(other)).as("a key of no causal rule").isNull();
    }

    @Test
    void aWriteOfKeysThatCannotBeToldApartCountsForEveryKey() {
        install("keys=s:*;routing=causal");
        round(100, 100);
        assertThat(read(CommandType.GET, "s:1")).isSameAs(Intent.READ);
        CausalWrites.completed(CausalWrites.EVERY_KEY);
        assertThat(read(CommandType.GET, "s:1")).as("any key may have been written").isSameAs(Intent.WRITE);
        round(100, 100);
        assertThat(read(CommandType.GET, "s:1")).as("applied by the replica").isSameAs(Intent.READ);
        CausalWrites.completed(null);
    }

    // --- clients that decide in one call (Redisson): the same view, writes remembered by an object of their own ---

    private boolean routesToPrimary(String command, Object... params) {
        return PrimaryRouting.routesToPrimary(RedissonKeys.READER, topology.client, -1,
                RedissonKeys.Read.command(command, params));
    }

    @Test
    void oneCallClientsAskTheSameView() {
        install("keys=s:*;routing=causal;rule.v.keys=v:*;rule.v.routing=replica-checked;rule.v.version=json:/v");
        assertThat(routesToPrimary("GET", "s:1")).as("causal, nothing polled yet").isTrue();
        assertThat(routesToPrimary("GET", "v:1")).as("replica-checked, lag unknown").isFalse();
        round(100, 100);
        assertThat(routesToPrimary("GET", "s:1")).as("caught up").isFalse();
        assertThat(routesToPrimary("GET", "other")).isFalse();
        assertThat(PrimaryRouting.routesToPrimary(RedissonKeys.READER, RedissonKeys.Read.command("GET",
                new Object[] {"s:1"}))).as("a client the monitor does not know: causal goes to the primary").isTrue();
    }

    @Test
    void oneCallClientsRememberWritesUntilTheirCompletionReportsThem() {
        install("keys=s:*;routing=causal");
        round(100, 100);
        Object[] completion = {"s:1", "v"};
        PrimaryRouting.rememberWrite(RedissonKeys.READER, topology.client, RedissonKeys.Read.command("SET", completion),
                completion);
        PrimaryRouting.rememberWrite(RedissonKeys.READER, topology.client,
                RedissonKeys.Read.command("SET", new Object[] {"other", "v"}), new Object());
        assertThat(CausalWrites.nothingPending()).isFalse();
        assertThat(routesToPrimary("GET", "s:1")).as("not acknowledged yet: nothing the application saw").isFalse();
        CausalWrites.completed(CausalWrites.take(completion));
        assertThat(routesToPrimary("GET", "s:1")).as("acknowledged, no sample since").isTrue();
        assertThat(routesToPrimary("GET", "s:2")).as("another key").isFalse();
        round(140, 140);
        assertThat(routesToPrimary("GET", "s:1")).as("the replica applied the sample after the write").isFalse();
    }

    @Test
    void writesWhoseReplyIsNotSeenCountAsAcknowledgedAtTheBound() {
        install("keys=s:*;routing=causal");
        round(100, 100);
        PrimaryRouting.rememberUnobservedWrite(RedissonKeys.READER, topology.client,
                RedissonKeys.Read.command("SET", new Object[] {"s:1", "v"}), 120 * MS);
        assertThat(routesToPrimary("GET", "s:1")).isTrue();
        round(140, 140);
        round(150, 150);
        assertThat(routesToPrimary("GET", "s:1")).as("100 ms later: within the bound, the write may be in flight")
                .isTrue();
        round(160, 160);
        assertThat(routesToPrimary("GET", "s:1")).as("a sample sent after the bound, applied by the replica")
                .isFalse();
        assertThat(routesToPrimary("GET", "s:2")).isFalse();
    }

    @Test
    void anUnobservedWriteOfUnreadableKeysCountsForEveryKey() {
        install("keys=s:*;routing=causal");
        round(100, 100);
        PrimaryRouting.rememberUnobservedWrite(RedissonKeys.READER, topology.client,
                RedissonKeys.Read.keys(new Object[] {"s:1", 42}), 10 * MS);
        assertThat(routesToPrimary("GET", "s:2")).as("a key it cannot tell apart may be any").isTrue();
        round(140, 140);
        assertThat(routesToPrimary("GET", "s:2")).isFalse();
    }
}
