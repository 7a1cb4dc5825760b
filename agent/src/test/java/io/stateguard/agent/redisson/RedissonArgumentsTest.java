package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.EncodedArguments;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A Redisson command's parameters as the bytes Redis receives, from real Netty buffers. */
class RedissonArgumentsTest {

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** The arguments as {@code K:text}, {@code N:text} or {@code V:text}, for one-line assertions. */
    private static List<String> shown(EncodedArguments arguments) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            assertThat(arguments.isKey(i) && arguments.isNumber(i)).as("argument %d both key and number", i).isFalse();
            String kind = arguments.isKey(i) ? "K" : arguments.isNumber(i) ? "N" : "V";
            byte[] bytes = arguments.bytes(i);
            shown.add(kind + ":" + (bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8)));
        }
        return shown;
    }

    // --- bytes ------------------------------------------------------------------------------------

    @Test
    void aStringIsSentAsUtf8() {
        assertThat(RedissonArguments.bytes("gw:state:a")).isEqualTo(b("gw:state:a"));
        assertThat(RedissonArguments.bytes("état€")).isEqualTo(new byte[] {(byte) 0xC3, (byte) 0xA9, 't', 'a', 't',
                (byte) 0xE2, (byte) 0x82, (byte) 0xAC});
        assertThat(RedissonArguments.bytes("")).isEmpty();
    }

    @Test
    void aByteArrayIsSentAsItIsWithoutACopy() {
        byte[] key = b("gw:state:a");
        assertThat(RedissonArguments.bytes(key)).isSameAs(key);
    }

    @Test
    void aHeapBufferIsSentAsItsReadableBytesAndItsIndexesDoNotMove() {
        ByteBuf heap = Unpooled.buffer(64).writeBytes(b("skip{\"version\":3}tail"));
        heap.readerIndex(4);
        heap.writerIndex(heap.writerIndex() - 4);
        assertThat(RedissonArguments.bytes(heap)).isEqualTo(b("{\"version\":3}"));
        assertThat(heap.readerIndex()).isEqualTo(4);
        assertThat(heap.writerIndex()).isEqualTo(b("skip{\"version\":3}").length);
        assertThat(heap.refCnt()).as("not released").isEqualTo(1);
        heap.release();
    }

    @Test
    void aDirectBufferIsCopiedFromItsReaderIndex() {
        ByteBuf direct = Unpooled.directBuffer(32).writeBytes(b("xxvalue"));
        direct.skipBytes(2);
        assertThat(direct.hasArray()).isFalse();
        byte[] bytes = RedissonArguments.bytes(direct);
        assertThat(bytes).isEqualTo(b("value"));
        assertThat(direct.readerIndex()).isEqualTo(2);
        direct.setByte(2, 'V');
        assertThat(bytes).as("a copy, not a view").isEqualTo(b("value"));
        direct.release();
    }

    @Test
    void aCompositeBufferIsCopiedAcrossItsComponents() {
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponents(true, buffer("{\"ver"), Unpooled.directBuffer().writeBytes(b("sion\":7}")));
        assertThat(RedissonArguments.bytes(composite)).isEqualTo(b("{\"version\":7}"));
        assertThat(composite.readerIndex()).isZero();
        composite.release();
    }

    @Test
    void anEmptyBufferIsAnEmptyArgument() {
        ByteBuf empty = Unpooled.buffer(8).writeBytes(b("ab"));
        empty.skipBytes(2);
        assertThat(RedissonArguments.bytes(empty)).isEmpty();
        assertThat(RedissonArguments.bytes(Unpooled.EMPTY_BUFFER)).isEmpty();
    }

    @Test
    void numbersAndOptionWordsAreSentAsTheirText() {
        assertThat(RedissonArguments.bytes(1500L)).isEqualTo(b("1500"));
        assertThat(RedissonArguments.bytes(-1)).isEqualTo(b("-1"));
        assertThat(RedissonArguments.bytes(2.5d)).isEqualTo(b("2.5"));
        assertThat(RedissonArguments.bytes(TimeUnit.SECONDS)).isEqualTo(b("SECONDS"));
        assertThat(RedissonArguments.bytes(new StringBuilder("PX"))).isEqualTo(b("PX"));
        assertThat(RedissonArguments.bytes(null)).isNull();
    }

    // --- of: names, numbers, values ----------------------------------------------------------------

    @Test
    void aSetHasItsKeyFirstThenItsValueOptionsAndNumbers() {
        ByteBuf value = buffer("{\"version\":1}");
        EncodedArguments arguments = RedissonArguments.of(CommandKind.SET,
                new Object[] {"gw:state:a", value, "PX", 1000L, "NX"});
        assertThat(shown(arguments)).containsExactly("K:gw:state:a", "V:{\"version\":1}", "V:PX", "N:1000", "V:NX");
        assertThat(value.readerIndex()).isZero();
        value.release();
    }

    @Test
    void aPsetexHasItsTimeToLiveAsANumberBeforeTheValue() {
        EncodedArguments arguments = RedissonArguments.of(CommandKind.SET,
                new Object[] {"gw:state:a", 60000L, b("{\"version\":2}")});
        assertThat(shown(arguments)).containsExactly("K:gw:state:a", "N:60000", "V:{\"version\":2}");
    }

    @Test
    void everyParameterOfMgetAndOfADeleteIsAKey() {
        assertThat(shown(RedissonArguments.of(CommandKind.MGET, new Object[] {"a", b("b"), buffer("c")})))
                .containsExactly("K:a", "K:b", "K:c");
        assertThat(shown(RedissonArguments.of(CommandKind.DELETE, new Object[] {"a", "b"})))
                .containsExactly("K:a", "K:b");
    }

    @Test
    void msetAndMsetnxAlternateKeysAndValues() {
        for (CommandKind kind : new CommandKind[] {CommandKind.MSET, CommandKind.MSETNX}) {
            assertThat(shown(RedissonArguments.of(kind, new Object[] {"k1", buffer("v1"), "k2", b("v2")})))
                    .as(kind.name()).containsExactly("K:k1", "V:v1", "K:k2", "V:v2");
        }
    }

    @Test
    void hashReadsNameTheKeyAndEveryField() {
        assertThat(shown(RedissonArguments.of(CommandKind.HGET, new Object[] {"h", buffer("version")})))
                .containsExactly("K:h", "K:version");
        assertThat(shown(RedissonArguments.of(CommandKind.HMGET, new Object[] {"h", "a", buffer("version")})))
                .containsExactly("K:h", "K:a", "K:version");
        assertThat(shown(RedissonArguments.of(CommandKind.HGETALL, new Object[] {"h"}))).containsExactly("K:h");
    }

    @Test
    void hashWritesNameTheKeyAndTheFieldsNotTheValues() {
        for (CommandKind kind : new CommandKind[] {CommandKind.HSET, CommandKind.HSETNX}) {
            assertThat(shown(RedissonArguments.of(kind,
                    new Object[] {"h", buffer("version"), buffer("7"), "name", b("x")})))
                    .as(kind.name()).containsExactly("K:h", "K:version", "V:7", "K:name", "V:x");
        }
    }

    @Test
    void anExpireHasItsKeyThenItsTimeToLiveAsANumber() {
        assertThat(shown(RedissonArguments.of(CommandKind.EXPIRE, new Object[] {"gw:state:a", 0L})))
                .containsExactly("K:gw:state:a", "N:0");
    }

    @Test
    void aNumberIsNeverANameEvenWhereNamesStand() {
        assertThat(shown(RedissonArguments.of(CommandKind.DELETE, new Object[] {"a", 42})))
                .containsExactly("K:a", "N:42");
        assertThat(shown(RedissonArguments.of(CommandKind.GET, new Object[] {7L}))).containsExactly("N:7");
    }

    @Test
    void aNullParameterIsANullArgumentInItsPlace() {
        assertThat(shown(RedissonArguments.of(CommandKind.MSET, new Object[] {"k", null})))
                .containsExactly("K:k", "V:null");
        assertThat(RedissonArguments.of(CommandKind.GET, new Object[0]).size()).isZero();
    }

    @Test
    void whichPositionsAreNamesForEveryKind() {
        for (CommandKind kind : CommandKind.values()) {
            StringBuilder names = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                names.append(RedissonArguments.isName(kind, i) ? 'K' : '-');
            }
            String expected;
            switch (kind) {
                case MGET:
                case DELETE:
                case HGET:
                case HMGET:
                    expected = "KKKKKK";
                    break;
                case MSET:
                case MSETNX:
                    expected = "K-K-K-";
                    break;
                case HSET:
                case HSETNX:
                    expected = "KK-K-K";
                    break;
                default:
                    expected = "K-----";
            }
            assertThat(names.toString()).as(kind.name()).isEqualTo(expected);
        }
    }

    // --- forReread ---------------------------------------------------------------------------------

    @Test
    void aRereadGetsCopiesOfTheBuffersAndTheOriginalArrayIsLeftAlone() {
        ByteBuf field = Unpooled.directBuffer().writeBytes(b("--version"));
        field.skipBytes(2);
        byte[] raw = b("raw");
        Object[] params = {"gw:hash:a", field, raw, 5L, null};
        Object[] copy = RedissonArguments.forReread(params);

        assertThat(copy).isNotSameAs(params).hasSize(5);
        assertThat(params[1]).as("the original still holds the buffer").isSameAs(field);
        assertThat(copy[1]).isInstanceOf(byte[].class);
        assertThat((byte[]) copy[1]).isEqualTo(b("version"));
        assertThat(field.readerIndex()).isEqualTo(2);
        assertThat(copy[0]).isSameAs(params[0]);
        assertThat(copy[2]).as("an array is sent as the same bytes").isSameAs(raw);
        assertThat(copy[3]).isEqualTo(5L);
        assertThat(copy[4]).isNull();

        field.release(); // as Redisson does once the command completed
        assertThat(field.refCnt()).isZero();
        assertThat((byte[]) copy[1]).as("the copy outlives the buffer").isEqualTo(b("version"));
        assertThat(RedissonArguments.bytes(copy[1])).isEqualTo(b("version"));
    }

    @Test
    void parametersWithoutBuffersAreKeptAsTheyAreForAReread() {
        Object[] params = {"gw:state:a", 42L};
        assertThat(RedissonArguments.forReread(params)).as("nothing Redisson releases: no copy").isSameAs(params)
                .containsExactly("gw:state:a", 42L);
        assertThat(RedissonArguments.forReread(new Object[0])).isEmpty();
    }
}
