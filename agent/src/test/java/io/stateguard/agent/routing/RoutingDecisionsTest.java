package io.stateguard.agent.routing;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.stateguard.agent.lettuce.CommandKeys;
import io.stateguard.agent.lettuce.LettuceDispatch;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.RoutingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Routing decisions as inputs and outputs: rules and the command being written in, the intent out. */
class RoutingDecisionsTest {

    enum Intent { READ, WRITE }

    /** Another intent enum, its constants in the other order: answers must come from the intent's own enum. */
    enum Reversed { WRITE, READ }

    enum ReadOnly { READ, READ_ONLY }

    @AfterEach
    void uninstall() {
        PrimaryRouting.forcePrimary(false);
        PrimaryRouting.exit();
        PrimaryRouting.uninstall();
    }

    private static RoutingPolicy policy(String settings) {
        return RoutingPolicy.of(ConfigLoader.load(settings, new HashMap<>(), new Properties()).rules());
    }

    private static CommandArgs<String, String> key(String key) {
        return new CommandArgs<>(StringCodec.UTF8).addKey(key);
    }

    private static AsyncCommand<String, String, String> get(String key) {
        return new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(StringCodec.UTF8), key(key)));
    }

    private static Object route(Object type, String key, Object intent) {
        PrimaryRouting.enter(CommandKeys.READER, command(type, key(key)));
        try {
            return LettuceDispatch.routeIntent(intent);
        } finally {
            PrimaryRouting.exit();
        }
    }

    @Test
    void eachRoutedReadIsCountedForItsRule() {
        PrimaryRouting.install(policy("keys=a:*;rule.b.keys=b:*;rule.c.keys=c:*;rule.c.routing=configured"));
        assertThat(PrimaryRouting.stats().rules()).isEqualTo(3);
        assertThat(route(CommandType.GET, "b:1", Intent.READ)).isSameAs(Intent.WRITE);
        assertThat(route(CommandType.GET, "b:2", Intent.READ)).isSameAs(Intent.WRITE);
        assertThat(route(CommandType.GET, "a:1", Intent.READ)).isSameAs(Intent.WRITE);
        assertThat(route(CommandType.GET, "c:1", Intent.READ)).isSameAs(Intent.READ);
        assertThat(route(CommandType.GET, "d:1", Intent.READ)).isSameAs(Intent.READ);
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
        assertThat(PrimaryRouting.stats().routed(1)).isEqualTo(2);
        assertThat(PrimaryRouting.stats().routed(2)).isZero();
        assertThat(PrimaryRouting.stats().routedTotal()).isEqualTo(3);

        PrimaryRouting.install(policy("keys=a:*"));
        assertThat(PrimaryRouting.stats().routedTotal()).as("a new policy starts new counts").isZero();
        assertThat(PrimaryRouting.stats().rules()).isEqualTo(1);
    }

    @Test
    void checkedReadsAreCountedPerRuleAndOutOfRangeIndexesIgnored() {
        PrimaryRouting.install(policy("keys=a:*;rule.b.keys=b:*"));
        RoutingStats stats = PrimaryRouting.stats();
        stats.incrementChecked(1);
        stats.incrementChecked(1);
        stats.incrementChecked(0);
        stats.incrementChecked(-1);
        stats.incrementChecked(2);
        assertThat(stats.checked(0)).isEqualTo(1);
        assertThat(stats.checked(1)).isEqualTo(2);
        assertThat(stats.routedTotal()).isZero();
    }

    @Test
    void aPolicyWithoutPrimaryRulesKeepsReadsOnReplicasWithoutAMonitor() {
        RoutingPolicy configuredOnly = policy("keys=a:*;routing=configured;rule.b.keys=b:*;rule.b.routing=replica-checked;"
                + "rule.b.version=json:/v");
        // A replica-checked rule skips replicas lagging more than max-replica-lag: it routes, by the monitor's word.
        assertThat(configuredOnly.routesAnything()).isTrue();
        assertThat(policy("keys=a:*;routing=configured").routesAnything()).isFalse();
        assertThat(configuredOnly.rules()).extracting(r -> r.routing())
                .containsExactly(RoutingMode.CONFIGURED, RoutingMode.REPLICA_CHECKED);
        assertThat(configuredOnly.matcher().match("b:1")).as("keys still match their rule").isEqualTo(1);
        PrimaryRouting.install(configuredOnly);
        assertThat(route(CommandType.GET, "a:1", Intent.READ)).isSameAs(Intent.READ);
        assertThat(route(CommandType.GET, "b:1", Intent.READ)).isSameAs(Intent.READ);
        assertThat(PrimaryRouting.stats().routedTotal()).isZero();

        RoutingPolicy mixed = policy("keys=a:*;routing=configured;rule.b.keys=b:*;rule.b.routing=primary");
        assertThat(mixed.routesAnything()).isTrue();
        PrimaryRouting.install(mixed);
        assertThat(route(CommandType.GET, "a:1", Intent.READ)).isSameAs(Intent.READ);
        assertThat(route(CommandType.GET, "b:1", Intent.READ)).isSameAs(Intent.WRITE);
    }

    @Test
    void aClientWithoutReplicaViewReadsCausalKeysFromThePrimaryAndKeepsReplicaCheckedOnes() {
        // One-call decisions (Redisson) have no replication monitor behind them: causal fails safe to the primary.
        PrimaryRouting.install(policy("keys=p:*;rule.c.keys=c:*;rule.c.routing=causal;rule.v.keys=v:*;"
                + "rule.v.routing=replica-checked;rule.v.version=json:/v;rule.x.keys=x:*;rule.x.routing=configured"));
        assertThat(PrimaryRouting.routesToPrimary(CommandKeys.READER, command(CommandType.GET, key("p:1")))).isTrue();
        assertThat(PrimaryRouting.routesToPrimary(CommandKeys.READER, command(CommandType.GET, key("c:1")))).isTrue();
        assertThat(PrimaryRouting.routesToPrimary(CommandKeys.READER, command(CommandType.GET, key("v:1")))).isFalse();
        assertThat(PrimaryRouting.routesToPrimary(CommandKeys.READER, command(CommandType.GET, key("x:1")))).isFalse();
        assertThat(PrimaryRouting.routesToPrimary(CommandKeys.READER, command(CommandType.GET, key("other"))))
                .isFalse();
    }

    @Test
    void aPolicyOfNoRulesMatchesNothing() {
        RoutingPolicy empty = RoutingPolicy.of(Collections.emptyList());
        assertThat(empty.rules()).isEmpty();
        assertThat(empty.routesAnything()).isFalse();
        assertThat(empty.matcher().match("anything")).isEqualTo(-1);
    }

    @Test
    void theReReadsForcedPrimaryOverridesEverythingOnThisThreadUntilCleared() throws Exception {
        PrimaryRouting.install(policy("keys=a:*"));
        PrimaryRouting.forcePrimary(true);
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).as("outside a writer call").isSameAs(Intent.WRITE);
        assertThat(route(CommandType.GET, "other", Intent.READ)).as("a key of no rule").isSameAs(Intent.WRITE);
        assertThat(LettuceDispatch.routeIntent(Intent.WRITE)).isSameAs(Intent.WRITE);
        Object[] onAnotherThread = new Object[1];
        Thread other = new Thread(() -> onAnotherThread[0] = LettuceDispatch.routeIntent(Intent.READ));
        other.start();
        other.join();
        assertThat(onAnotherThread[0]).as("per thread").isSameAs(Intent.READ);
        assertThat(PrimaryRouting.stats().routedTotal()).as("re-reads are not routed reads").isZero();
        PrimaryRouting.forcePrimary(false);
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        assertThat(route(CommandType.GET, "other", Intent.READ)).isSameAs(Intent.READ);
    }

    @Test
    void intentsOfSeveralEnumsAreAnsweredFromTheirOwnEnum() {
        PrimaryRouting.install(policy("keys=a:*"));
        for (int i = 0; i < 3; i++) {
            assertThat(route(CommandType.GET, "a:1", Intent.READ)).isSameAs(Intent.WRITE);
            assertThat(route(CommandType.GET, "a:1", Reversed.READ)).isSameAs(Reversed.WRITE);
            assertThat(route(CommandType.GET, "a:1", Reversed.WRITE)).isSameAs(Reversed.WRITE);
            assertThat(route(CommandType.GET, "a:1", ReadOnly.READ)).as("no WRITE to turn it into").isSameAs(ReadOnly.READ);
        }
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(6);
    }

    @Test
    void aBatchSkipsNullsAndASingleCommandAfterABatchIsJudgedAlone() {
        PrimaryRouting.install(policy("keys=a:*"));
        PrimaryRouting.enterBatch(CommandKeys.READER, Arrays.asList(null, get("x:1"), get("a:2")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.WRITE);
        PrimaryRouting.exit();
        PrimaryRouting.enterBatch(CommandKeys.READER, List.of(get("a:3")));
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("x:2"))); // a write of one command inside: that command counts
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("a:4")));
        PrimaryRouting.enterBatch(CommandKeys.READER, List.of(get("x:3")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        PrimaryRouting.enterBatch(CommandKeys.READER, Collections.emptyList());
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
    }

    @Test
    void aBatchIsCountedForTheRuleOfItsMatchingCommand() {
        PrimaryRouting.install(policy("keys=a:*;rule.b.keys=b:*"));
        PrimaryRouting.enterBatch(CommandKeys.READER, List.of(get("x:1"), get("b:1"), get("a:1")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.WRITE);
        PrimaryRouting.exit();
        assertThat(PrimaryRouting.stats().routed(1)).as("b:1 comes first in the batch").isEqualTo(1);
        assertThat(PrimaryRouting.stats().routed(0)).isZero();
    }

    @Test
    void writerCallsBeforeInstallLeaveNothingBehind() {
        PrimaryRouting.uninstall();
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("a:1")));
        PrimaryRouting.enterBatch(CommandKeys.READER, List.of(get("a:1")));
        PrimaryRouting.install(policy("keys=a:*"));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).as("no writer call in progress").isSameAs(Intent.READ);
        assertThat(PrimaryRouting.stats().routedTotal()).isZero();
    }

    /** A thread that never dispatched before starts with a fresh dispatch state of its own. */
    @Test
    void aNewThreadRoutesItsFirstRead() throws Exception {
        PrimaryRouting.install(policy("keys=a:*"));
        Object[] answers = new Object[2];
        Thread thread = new Thread(() -> {
            answers[0] = route(CommandType.GET, "a:1", Intent.READ);
            answers[1] = route(CommandType.GET, "b:1", Intent.READ);
        });
        thread.start();
        thread.join();
        assertThat(answers).containsExactly(Intent.WRITE, Intent.READ);
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
    }

    /** A Lettuce command as the channel writer sees it. */
    private static Command<String, String, String> command(Object type, CommandArgs<String, String> args) {
        return new Command<>((ProtocolKeyword) type, null, args);
    }
}
