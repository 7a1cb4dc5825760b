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
        return LettuceReplies.values(get, output, VersionSpec.parse("json:/version", cap), tooLarge::incrementAndGet);
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
}
