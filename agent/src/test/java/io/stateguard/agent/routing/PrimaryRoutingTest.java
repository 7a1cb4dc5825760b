package io.stateguard.agent.routing;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.stateguard.agent.lettuce.CommandKeys;
import io.stateguard.agent.lettuce.LettuceDispatch;
import io.lettuce.core.output.ValueOutput;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.internal.InternalErrors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class PrimaryRoutingTest {

    /** Shaped like Lettuce's intents: an enum with READ and WRITE. */
    enum Intent { READ, WRITE }

    enum OtherEnum { READ_ONLY }

    @BeforeEach
    void install() {
        PrimaryRouting.install(RoutingPolicy.of(ConfigLoader.load(
                "keys=gw:state:*;rule.cache.keys=gw:cache:*;rule.cache.routing=configured", new HashMap<>(),
                new Properties()).rules()));
    }

    @AfterEach
    void uninstall() {
        PrimaryRouting.uninstall();
    }

    private static CommandArgs<String, String> key(String key) {
        return new CommandArgs<>(StringCodec.UTF8).addKey(key);
    }

    private static AsyncCommand<String, String, String> get(String key) {
        return new AsyncCommand<>(new Command<>(CommandType.GET, new ValueOutput<>(StringCodec.UTF8), key(key)));
    }

    @Test
    void readOfAPrimaryRuleKeyBecomesWrite() {
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:state:a")));
        try {
            assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.WRITE);
        } finally {
            PrimaryRouting.exit();
        }
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
    }

    @Test
    void otherKeysAndConfiguredRulesKeepTheirIntent() {
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:other")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:cache:1")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        assertThat(PrimaryRouting.stats().routedTotal()).isZero();
    }

    @Test
    void writesAreNeverTouched() {
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.SET, key("gw:state:a")));
        assertThat(LettuceDispatch.routeIntent(Intent.WRITE)).isSameAs(Intent.WRITE);
        PrimaryRouting.exit();
    }

    @Test
    void outsideAWriterCallNothingChanges() {
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:state:a")));
        PrimaryRouting.exit();
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
    }

    @Test
    void batchGoesToThePrimaryIfAnyCommandMatches() {
        List<AsyncCommand<String, String, String>> mixed = Arrays.asList(get("gw:other"), get("gw:state:b"));
        PrimaryRouting.enterBatch(CommandKeys.READER, mixed);
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.WRITE);
        PrimaryRouting.exit();
        PrimaryRouting.enterBatch(CommandKeys.READER, Arrays.asList(get("gw:other"), get("gw:cache:1")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
    }

    @Test
    void unknownIntentShapesAndBrokenArgumentsFailOpen() {
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:state:a")));
        assertThat(LettuceDispatch.routeIntent(OtherEnum.READ_ONLY)).isSameAs(OtherEnum.READ_ONLY);
        assertThat(LettuceDispatch.routeIntent("READ")).isEqualTo("READ");
        PrimaryRouting.exit();

        long before = InternalErrors.count("routing.decide");
        PrimaryRouting.enterBatch(CommandKeys.READER, Arrays.asList("not a command"));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
        assertThat(InternalErrors.count("routing.decide")).isEqualTo(before + 1);
    }

    /** A client-neutral reader whose "command" is one key. */
    private static final io.stateguard.agent.keys.CommandKeyReader ONE_KEY = (command, matcher, accepted) -> {
        int rule = matcher.match((String) command);
        return rule >= 0 && accepted[rule] ? rule : -1;
    };

    @Test
    void aOneCallDecisionRoutesPrimaryRuleKeysCountsThemAndFailsOpen() {
        assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, "gw:state:a")).isTrue();
        assertThat(PrimaryRouting.stats().routed(0)).isEqualTo(1);
        assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, "gw:cache:a")).as("a configured rule").isFalse();
        assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, "other")).isFalse();

        PrimaryRouting.forcePrimary(true);
        try {
            assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, "other")).as("the guard's re-read").isTrue();
        } finally {
            PrimaryRouting.forcePrimary(false);
        }

        long before = InternalErrors.count("routing.decide");
        assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, 42)).isFalse();
        assertThat(InternalErrors.count("routing.decide")).isEqualTo(before + 1);

        PrimaryRouting.uninstall();
        assertThat(PrimaryRouting.routesToPrimary(ONE_KEY, "gw:state:a")).isFalse();
    }

    @Test
    void notInstalledIsANoOp() {
        PrimaryRouting.uninstall();
        PrimaryRouting.enter(CommandKeys.READER, command(CommandType.GET, key("gw:state:a")));
        assertThat(LettuceDispatch.routeIntent(Intent.READ)).isSameAs(Intent.READ);
        PrimaryRouting.exit();
    }

    /** A Lettuce command as the channel writer sees it. */
    private static Command<String, String, String> command(Object type, CommandArgs<String, String> args) {
        return new Command<>((ProtocolKeyword) type, null, args);
    }
}
