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
}
