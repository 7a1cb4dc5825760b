package io.stateguard.agent.lettuce;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ValueOutput;
import io.stateguard.agent.config.ConfigLoader;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.CommandClassifier;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.guard.VersionGuard;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.routing.RoutingPolicy;
import io.stateguard.agent.versions.VersionSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a single-value reply from real Lettuce outputs, as the bytes the server sent. */
class LettuceRepliesTest {

    private final List<Rule> rules = ConfigLoader.load("keys=s:*;version=json:/version", new HashMap<>(),
            new Properties()).rules();

    private final TrackedCommand get = new CommandClassifier(new VersionGuard(rules, 10, KeyPrivacy.FULL),
            RoutingPolicy.of(rules).matcher()).singleKeyRead("GET", null, 0, 0, "s:1".getBytes(StandardCharsets.UTF_8));

    private final AtomicInteger tooLarge = new AtomicInteger();

    private ByteBuffer[] read(Object reply, io.lettuce.core.codec.RedisCodec<?, ?> codec, int cap) throws Throwable {
        @SuppressWarnings({"unchecked", "rawtypes"})
        ValueOutput output = new ValueOutput(codec);
        if (reply != null) {
            output.set(ByteBuffer.wrap(reply instanceof byte[] ? (byte[]) reply
                    : ((String) reply).getBytes(StandardCharsets.UTF_8)));
        }
        return LettuceReplies.values(get, output, rulesWithCap(cap), tooLarge::incrementAndGet);
    }

    /** Rule 0 as in {@link #rules}, its version spec scanning at most {@code cap} bytes. */
    private static List<Rule> rulesWithCap(int cap) {
        return List.of(new Rule("default", List.of(io.stateguard.agent.keys.GlobPattern.compile("s:*")),
                io.stateguard.agent.config.RoutingMode.REPLICA_CHECKED, VersionSpec.parse("json:/version", cap),
                io.stateguard.agent.config.OnRegression.REREAD_PRIMARY));
    }

    private static String text(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void anAsciiStringIsReadAsTheBytesTheServerSent() throws Throwable {
        ByteBuffer[] values = read("{\"version\":7}", StringCodec.UTF8, 1000);
        assertThat(text(values[0])).isEqualTo("{\"version\":7}");
        ByteBuffer[] next = read("{\"version\":8,\"state\":\"open\"}", StringCodec.UTF8, 1000);
        assertThat(next).as("per-thread scratch, reused").isSameAs(values);
        assertThat(text(next[0])).isEqualTo("{\"version\":8,\"state\":\"open\"}");
    }

    @Test
    void aNonAsciiStringIsEncodedByTheCodec() throws Throwable {
        assertThat(text(read("{\"state\":\"\u00e9tat\",\"version\":3}", StringCodec.UTF8, 1000)[0]))
                .isEqualTo("{\"state\":\"\u00e9tat\",\"version\":3}");
    }

    @Test
    void byteArrayValuesAreWrappedNotCopied() throws Throwable {
        ByteBuffer[] values = read("{\"version\":5}".getBytes(StandardCharsets.UTF_8), ByteArrayCodec.INSTANCE, 1000);
        assertThat(text(values[0])).isEqualTo("{\"version\":5}");
    }

    @Test
    void nilIsNull() throws Throwable {
        assertThat(read(null, StringCodec.UTF8, 1000)[0]).isNull();
    }

    @Test
    void aValueOverTheCapIsRejectedAndCounted() throws Throwable {
        String large = "{\"version\":1,\"pad\":\"" + "x".repeat(100) + "\"}";
        assertThat(read(large, StringCodec.UTF8, 50)).isNull();
        assertThat(read(large.getBytes(StandardCharsets.UTF_8), ByteArrayCodec.INSTANCE, 50)).isNull();
        assertThat(tooLarge).hasValue(2);
        assertThat(read(large, StringCodec.UTF8, 1000)).isNotNull();
        assertThat(tooLarge).hasValue(2);
    }

    /** A multi-value reply: a value over its rule's cap is skipped (not nil), counted, and not copied. */
    @Test
    void anMgetValueOverTheCapIsSkippedNotTakenForNil() throws Throwable {
        TrackedCommand mget = new CommandClassifier(new VersionGuard(rules, 10, KeyPrivacy.FULL),
                RoutingPolicy.of(rules).matcher()).classify(io.stateguard.agent.guard.CommandKind.MGET, "MGET", null, 0,
                new io.stateguard.agent.guard.EncodedArguments().add(true, "s:1".getBytes(StandardCharsets.UTF_8))
                        .add(true, "s:2".getBytes(StandardCharsets.UTF_8))
                        .add(true, "s:3".getBytes(StandardCharsets.UTF_8)));
        io.lettuce.core.output.KeyValueListOutput<String, String> output = new io.lettuce.core.output.KeyValueListOutput<>(
                io.lettuce.core.codec.StringCodec.UTF8, new java.util.ArrayList<>(List.of("s:1", "s:2", "s:3")));
        output.multi(3); // as the decoder does for an array reply
        output.set(ByteBuffer.wrap("{\"version\":1}".getBytes(StandardCharsets.UTF_8)));
        output.set(ByteBuffer.wrap(("{\"version\":2,\"pad\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8)));
        output.set((ByteBuffer) null);
        ByteBuffer[] values = LettuceReplies.values(mget, output, rulesWithCap(50), tooLarge::incrementAndGet);
        assertThat(text(values[0])).isEqualTo("{\"version\":1}");
        assertThat(values[1]).isSameAs(io.stateguard.agent.guard.RegressionPolicy.UNREADABLE);
        assertThat(values[2]).as("nil").isNull();
        assertThat(tooLarge).hasValue(1);
    }
}
