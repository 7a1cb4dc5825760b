package io.stateguard.agent.lettuce;

import io.lettuce.core.SetArgs;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.CommandClassifier;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.EncodedArguments;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.guard.WriteCondition;
import io.stateguard.agent.guard.WriteReply;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.routing.RoutingPolicy;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write's options and reply as the adapter reads them from real Lettuce arguments (built as Lettuce's
 * command builder builds them) and real Lettuce outputs (filled as the decoder fills them).
 */
class LettuceWriteRepliesTest {

    private final List<Rule> rules = ConfigLoader.load("keys=s:*;version=json:/version", new HashMap<>(),
            new Properties()).rules();

    private final CommandClassifier classifier = new CommandClassifier(new VersionGuard(rules, 100, KeyPrivacy.FULL),
            RoutingPolicy.of(rules).matcher());

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private TrackedCommand classify(CommandType type, CommandArgs<String, String> args) {
        return classifier.classify(CommandKind.of(type.name()), type.name(), null, 0, CommandKeys.encodedArguments(args));
    }

    private static List<String> values(EncodedArguments arguments) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            values.add((arguments.isKey(i) ? "key " : "") + new String(arguments.bytes(i), StandardCharsets.UTF_8));
        }
        return values;
    }

    @Test
    void anExpireThatDeletesAtOnceIsTrackedByItsTimeToLive() {
        assertThat(classify(CommandType.EXPIRE, new CommandArgs<>(StringCodec.UTF8).addKey("s:1").add(0L)))
                .as("EXPIRE s:1 0 deletes the key").isNotNull();
        assertThat(classify(CommandType.PEXPIRE, new CommandArgs<>(StringCodec.UTF8).addKey("s:1").add(-5L)))
                .isNotNull();
        assertThat(classify(CommandType.EXPIRE, new CommandArgs<>(StringCodec.UTF8).addKey("s:1").add(10L)))
                .as("a positive time to live deletes nothing now").isNull();
    }

    @Test
    void setOptionsReachTheClassifierAsValueArgumentsAfterTheValue() {
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).addKey("s:1").addValue("v");
        SetArgs.Builder.nx().px(500).build(args);
        args.add(CommandType.GET); // as Lettuce's setGet adds it
        List<String> encoded = values(CommandKeys.encodedArguments(args));
        assertThat(encoded.subList(0, 2)).containsExactly("key s:1", "v");
        // Numbers are value arguments too (EXPIRE's time to live), after the value: never taken for it.
        assertThat(encoded.subList(2, encoded.size())).containsExactlyInAnyOrder("NX", "PX", "500", "GET");
        TrackedCommand set = classify(CommandType.SET, args);
        assertThat(set.condition()).isEqualTo(WriteCondition.IF_ABSENT);
        assertThat(set.returnsPrevious()).isTrue();

        CommandArgs<String, String> xx = new CommandArgs<>(StringCodec.UTF8).addKey("s:1").addValue("v");
        SetArgs.Builder.xx().build(xx);
        assertThat(classify(CommandType.SET, xx).condition()).isEqualTo(WriteCondition.IF_PRESENT);
        CommandArgs<String, String> byHand = new CommandArgs<>(StringCodec.UTF8).addKey("s:1").addValue("v").add("nx");
        assertThat(classify(CommandType.SET, byHand).condition()).as("a word added by hand, lower case")
                .isEqualTo(WriteCondition.IF_ABSENT);
        CommandArgs<String, String> setex = new CommandArgs<>(StringCodec.UTF8).addKey("s:1").add(60).addValue("v");
        assertThat(values(CommandKeys.encodedArguments(setex))).containsExactly("key s:1", "60", "v");
        assertThat(classify(CommandType.SETEX, setex)).as("the number is not the value written").isNotNull();
    }

    private TrackedCommand setnx() {
        return classify(CommandType.SETNX, new CommandArgs<>(StringCodec.UTF8).addKey("s:1").addValue("v"));
    }

    private TrackedCommand getset() {
        return classify(CommandType.GETSET, new CommandArgs<>(StringCodec.UTF8).addKey("s:1").addValue("v"));
    }

    private static WriteReply read(TrackedCommand command, CommandOutput<String, String, ?> output) throws Throwable {
        return LettuceReplies.writeReply(command, output);
    }

    @Test
    void answersSayingWhetherAWriteWasAppliedAreReadFromEachOutputType() throws Throwable {
        StatusOutput<String, String> ok = new StatusOutput<>(StringCodec.UTF8);
        ok.set(utf8("OK"));
        assertThat(read(setnx(), ok)).isSameAs(WriteReply.APPLIED);
        assertThat(read(setnx(), new StatusOutput<>(StringCodec.UTF8))).as("nil").isSameAs(WriteReply.NOT_APPLIED);
        BooleanOutput<String, String> yes = new BooleanOutput<>(StringCodec.UTF8);
        yes.set(1L);
        assertThat(read(setnx(), yes)).isSameAs(WriteReply.APPLIED);
        BooleanOutput<String, String> no = new BooleanOutput<>(StringCodec.UTF8);
        no.set(0L);
        assertThat(read(setnx(), no)).isSameAs(WriteReply.NOT_APPLIED);
        IntegerOutput<String, String> zero = new IntegerOutput<>(StringCodec.UTF8);
        zero.set(0L);
        assertThat(read(setnx(), zero)).isSameAs(WriteReply.NOT_APPLIED);
        IntegerOutput<String, String> one = new IntegerOutput<>(StringCodec.UTF8);
        one.set(1L);
        assertThat(read(setnx(), one)).isSameAs(WriteReply.APPLIED);
        StatusOutput<String, String> queued = new StatusOutput<>(StringCodec.UTF8);
        queued.set(utf8("QUEUED"));
        assertThat(read(setnx(), queued)).isSameAs(WriteReply.UNREADABLE);
    }

    @Test
    void aWriteReturningThePreviousValueIsReadAsThatValue() throws Throwable {
        ValueOutput<String, String> previous = new ValueOutput<>(StringCodec.UTF8);
        previous.set(utf8("{\"version\":6}"));
        WriteReply reply = read(getset(), previous);
        assertThat(reply.isPrevious()).isTrue();
        assertThat(StandardCharsets.UTF_8.decode(reply.previous()).toString()).isEqualTo("{\"version\":6}");
        WriteReply nil = read(getset(), new ValueOutput<>(StringCodec.UTF8));
        assertThat(nil.isPrevious()).isTrue();
        assertThat(nil.previous()).isNull();
    }
}
