package io.stateguard.agent.lettuce;

import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.guard.CommandKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LettuceDispatchTest {

    enum Intent { READ, WRITE }

    enum Reversed { WRITE, READ }

    enum ReadOnly { READ, OTHER }

    enum WriteOnly { WRITE, OTHER }

    enum Neither { ONE, TWO }

    /**
     * The READ/WRITE lookup computed afresh (not through the class-value cache, which may hold an answer
     * computed before): the pair only when the enum has both constants.
     */
    @Test
    void theReadWritePairOfAnIntentEnumNeedsBothConstants() {
        LettuceDispatch.Intents intents = new LettuceDispatch.Intents();
        assertThat(intents.computeValue(Intent.class)).containsExactly(Intent.READ, Intent.WRITE);
        assertThat(intents.computeValue(Reversed.class)).containsExactly(Reversed.READ, Reversed.WRITE);
        assertThat(intents.computeValue(ReadOnly.class)).as("no WRITE").isNull();
        assertThat(intents.computeValue(WriteOnly.class)).as("no READ").isNull();
        assertThat(intents.computeValue(Neither.class)).isNull();
    }

    /** Each Lettuce command type gets the guard's kind of its name, through the per-ordinal table. */
    @Test
    void everyCommandTypeHasTheKindOfItsName() {
        for (CommandType type : CommandType.values()) {
            assertThat(LettuceDispatch.kindOf(type)).as(type.name()).isEqualTo(CommandKind.of(type.name()));
        }
        assertThat(LettuceDispatch.kindOf(CommandType.GETDEL)).isEqualTo(CommandKind.DELETE);
        assertThat(LettuceDispatch.kindOf(CommandType.HMGET)).isEqualTo(CommandKind.HMGET);
        assertThat(LettuceDispatch.kindOf(CommandType.INCR)).isNull();
        assertThat(LettuceDispatch.kindOf(null)).isNull();
    }

    /**
     * The guard's re-read written again by Lettuce (a {@code MOVED}/{@code ASK} redirect wraps it and writes it on
     * an event-loop thread, outside the guard's own dispatch): it goes to the primary and is not tracked, so a
     * command is re-read at most once. An ordinary read of the same key keeps the application's routing.
     */
    @Test
    void aReReadWrittenAgainByLettuceGoesToThePrimaryAndIsNotTracked() {
        java.util.List<io.stateguard.agent.config.Rule> rules = io.stateguard.agent.config.ConfigLoader.load(
                "keys=s:*;version=json:/version;routing=replica-checked", new java.util.HashMap<>(),
                new java.util.Properties()).rules();
        io.stateguard.agent.routing.RoutingPolicy policy = io.stateguard.agent.routing.RoutingPolicy.of(rules);
        io.stateguard.agent.routing.PrimaryRouting.install(policy);
        io.stateguard.agent.guard.GuardRuntime.install(new io.stateguard.agent.guard.VersionGuard(rules, 100,
                io.stateguard.agent.keys.KeyPrivacy.FULL), policy.matcher());
        try {
            io.lettuce.core.protocol.AsyncCommand<String, String, String> reread = get("s:1");
            io.stateguard.agent.guard.GuardRuntime.rereadStarted(reread);
            int pending = io.stateguard.agent.guard.GuardRuntime.pendingCount();

            LettuceDispatch.onWrite(null, new io.lettuce.core.protocol.CommandWrapper<>(reread));
            assertThat(LettuceDispatch.routeIntent(Intent.READ)).as("the redirected re-read").isSameAs(Intent.WRITE);
            LettuceDispatch.onWriteExit();
            assertThat(io.stateguard.agent.guard.GuardRuntime.pendingCount()).as("not tracked").isEqualTo(pending);

            io.lettuce.core.protocol.AsyncCommand<String, String, String> read = get("s:1");
            LettuceDispatch.onWrite(null, read);
            assertThat(LettuceDispatch.routeIntent(Intent.READ)).as("an ordinary read").isSameAs(Intent.READ);
            LettuceDispatch.onWriteExit();
            assertThat(io.stateguard.agent.guard.GuardRuntime.take(read)).as("tracked").isNotNull();

            io.stateguard.agent.guard.GuardRuntime.rereadDone(reread);
            LettuceDispatch.onWrite(null, new io.lettuce.core.protocol.CommandWrapper<>(reread));
            assertThat(LettuceDispatch.routeIntent(Intent.READ)).as("once done, an ordinary command again")
                    .isSameAs(Intent.READ);
            LettuceDispatch.onWriteExit();
        } finally {
            io.stateguard.agent.guard.GuardRuntime.uninstall();
            io.stateguard.agent.routing.PrimaryRouting.uninstall();
        }
    }

    private static io.lettuce.core.protocol.AsyncCommand<String, String, String> get(String key) {
        return new io.lettuce.core.protocol.AsyncCommand<>(new io.lettuce.core.protocol.Command<>(CommandType.GET,
                new io.lettuce.core.output.ValueOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).addKey(key)));
    }
}
