package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.RegressionPolicy;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.stateguard.agent.redisson.RespDecoding.array;
import static io.stateguard.agent.redisson.RespDecoding.bulk;
import static io.stateguard.agent.redisson.RespDecoding.decode;
import static io.stateguard.agent.redisson.RespDecoding.resp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw replies read from real Netty buffers as Redisson's decoder meets them: the reply, then each element of an
 * array, each at the buffer's reader index, the bytes possibly not all there yet.
 */
class RedissonReplyTest {

    private static final String VALUE = "{\"version\":3}";

    private final AtomicInteger tooLarge = new AtomicInteger();

    private RedissonReply single(int cap) {
        return RedissonReply.single(cap, tooLarge::incrementAndGet);
    }

    private RedissonReply arrayReply(int cap, boolean... wanted) {
        return RedissonReply.array(wanted, cap, tooLarge::incrementAndGet);
    }

    private RedissonReply fields(String field, int cap) {
        return RedissonReply.fields(field.getBytes(StandardCharsets.UTF_8), cap, tooLarge::incrementAndGet);
    }

    /** Feeds {@code replies} one byte at a time through a real {@link io.netty.handler.codec.ReplayingDecoder}. */
    private static List<Object> replayed(RespDecoding.Replaying decoder, String... replies) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            for (byte b : String.join("", replies).getBytes(StandardCharsets.UTF_8)) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
            List<Object> decoded = new ArrayList<>();
            for (Object out = channel.readInbound(); out != null; out = channel.readInbound()) {
                decoded.add(((List<?>) out).get(0));
            }
            return decoded;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    // --- shapes -------------------------------------------------------------------------------------

    @Test
    void theShapeOfEachKindsReply() {
        assertThat(RedissonReply.shapeOf(CommandKind.MGET)).isEqualTo(RedissonReply.Shape.ARRAY);
        assertThat(RedissonReply.shapeOf(CommandKind.HMGET)).isEqualTo(RedissonReply.Shape.ARRAY);
        assertThat(RedissonReply.shapeOf(CommandKind.HGETALL)).isEqualTo(RedissonReply.Shape.FIELDS);
        for (CommandKind kind : new CommandKind[] {CommandKind.GET, CommandKind.HGET, CommandKind.GETSET,
                CommandKind.SET}) {
            assertThat(RedissonReply.shapeOf(kind)).as(kind.name()).isEqualTo(RedissonReply.Shape.SINGLE);
        }
    }

    @Test
    void nothingIsReadableBeforeTheReply() {
        RedissonReply reply = single(100);
        assertThat(reply.readable()).isFalse();
        assertThat(reply.slot(0)).isNull();
        assertThat(arrayReply(100, true, true).readable()).isFalse();
        assertThat(fields("version", 100).readable()).isFalse();
    }

    // --- a single bulk string -------------------------------------------------------------------------

    @Test
    void aBulkStringIsReadWhole() {
        RedissonReply reply = single(100);
        ByteBuf in = resp(bulk(VALUE));
        assertThat(decode(reply, in)).isEqualTo(VALUE);
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        assertThat(tooLarge).hasValue(0);
    }

    @Test
    void aBulkStringIsReadByItsLengthNotUpToALineEnd() {
        RedissonReply reply = single(100);
        decode(reply, resp("$9\r\na\r\n$-1\r\nb\r\n"));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("a\r\n$-1\r\nb");
    }

    @Test
    void binaryBytesAreKeptAsSent() {
        byte[] binary = {0, (byte) 0xFF, '\r', '\n', (byte) 0x80, 'x'};
        ByteBuf in = Unpooled.buffer().writeBytes("$6\r\n".getBytes(StandardCharsets.US_ASCII)).writeBytes(binary)
                .writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        RedissonReply reply = single(100);
        reply.element(in, true, 0);
        ByteBuffer slot = reply.slot(0);
        byte[] read = new byte[slot.remaining()];
        slot.get(read);
        assertThat(read).isEqualTo(binary);
    }

    @Test
    void anEmptyBulkStringIsAnEmptyValueNotNil() {
        RedissonReply reply = single(100);
        decode(reply, resp("$0\r\n\r\n"));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isNotNull().isNotSameAs(RegressionPolicy.UNREADABLE);
        assertThat(reply.slot(0).remaining()).isZero();
    }

    @Test
    void nilIsReadableAsNullInRespTwoAndThree() {
        for (String nil : new String[] {"$-1\r\n", "_\r\n"}) {
            RedissonReply reply = single(100);
            assertThat(decode(reply, resp(nil))).isNull();
            assertThat(reply.readable()).as(nil).isTrue();
            assertThat(reply.slot(0)).as(nil).isNull();
        }
    }

    @Test
    void aStatusAnErrorOrANumberAtTheTopIsNoValue() {
        for (String other : new String[] {"+OK\r\n", "-ERR wrong\r\n", "-MOVED 3999 127.0.0.1:6381\r\n", ":1\r\n",
                ",1.5\r\n", "#t\r\n"}) {
            RedissonReply reply = single(100);
            decode(reply, resp(other));
            assertThat(reply.readable()).as(other).isFalse();
            assertThat(reply.slot(0)).as(other).isNull();
        }
    }

    @Test
    void anArrayWhereOneValueWasExpectedIsNotReadAndNeitherAreItsElements() {
        RedissonReply reply = single(100);
        decode(reply, resp(array(bulk(VALUE), bulk("x"))));
        assertThat(reply.readable()).isFalse();
        assertThat(reply.slot(0)).isNull();
    }

    @Test
    void aMalformedLengthIsUnreadableButNotCountedAsTooLarge() {
        for (String malformed : new String[] {"$1x\r\nab\r\n", "$?\r\n", "$ 3\r\nabc\r\n"}) {
            RedissonReply reply = single(100);
            reply.element(resp(malformed), true, 0);
            assertThat(reply.readable()).as(malformed).isTrue();
            assertThat(reply.slot(0)).as(malformed).isSameAs(RegressionPolicy.UNREADABLE);
        }
        assertThat(tooLarge).hasValue(0);
    }

    // --- the size cap ---------------------------------------------------------------------------------

    @Test
    void aValueAsLongAsTheCapIsRead() {
        RedissonReply reply = single(VALUE.length());
        decode(reply, resp(bulk(VALUE)));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        assertThat(tooLarge).hasValue(0);
    }

    @Test
    void aValueOverTheCapIsUnreadableAndCountedOnce() {
        RedissonReply reply = single(VALUE.length() - 1);
        decode(reply, resp(bulk(VALUE)));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void aValueOverTheCapIsRejectedFromItsLengthAloneWithoutItsBytes() {
        RedissonReply reply = single(10);
        ByteBuf headerOnly = resp("$1048576\r\n{\"ver");
        reply.element(headerOnly, true, 0);
        assertThat(reply.slot(0)).as("nothing to copy: its bytes have not arrived").isSameAs(
                RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).hasValue(1);
        assertThat(headerOnly.readerIndex()).isZero();
    }

    @Test
    void aValueOverTheCapDecodedAgainIsCountedOnce() {
        RedissonReply reply = single(10);
        ByteBuf whole = resp(bulk(VALUE));
        reply.element(whole.duplicate().writerIndex(5), true, 0); // "$13\r\n": its length has arrived
        reply.element(whole.duplicate().writerIndex(9), true, 0);
        reply.element(whole, true, 0);
        assertThat(reply.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).as("one reply, one value over the cap").hasValue(1);
    }

    // --- bytes that have not all arrived: the decoder replays ------------------------------------------

    @Test
    void aValueWhoseBytesHaveNotAllArrivedIsNotKeptUntilTheyHave() {
        String text = bulk(VALUE);
        ByteBuf whole = resp(text);
        int valueEnd = text.length() - 2; // the value's last byte arrived; its \r\n need not have
        RedissonReply reply = single(100);
        for (int end = 0; end < valueEnd; end++) {
            ByteBuf partial = whole.duplicate().writerIndex(end);
            reply.element(partial, true, 0);
            assertThat(reply.slot(0)).as("%d bytes", end).isNull();
            assertThat(partial.readerIndex()).isZero();
        }
        reply.element(whole.duplicate().writerIndex(valueEnd), true, 0);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        reply.element(whole, true, 0);
        assertThat(RespDecoding.text(reply.slot(0))).as("the replay overwrites").isEqualTo(VALUE);
        assertThat(tooLarge).hasValue(0);
    }

    @Test
    void aReplayFromTheTopForgetsWhatTheLastAttemptRead() {
        RedissonReply reply = single(100);
        decode(reply, resp(bulk("old")));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("old");
        decode(reply, resp("$-1\r\n"));
        assertThat(reply.slot(0)).isNull();
        decode(reply, resp(bulk("new")));
        decode(reply, resp("+OK\r\n"));
        assertThat(reply.readable()).as("the last reply was no value").isFalse();
        assertThat(reply.slot(0)).isNull();
    }

    @Test
    void anEmptyReadIsNotAReplayFromTheTop() {
        RedissonReply reply = single(100);
        decode(reply, resp(bulk(VALUE)));
        reply.element(Unpooled.EMPTY_BUFFER, true, 0);
        ByteBuf consumed = resp("xy");
        consumed.readerIndex(2);
        reply.element(consumed, true, 0);
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
    }

    @Test
    void aRealReplayingDecoderFedOneByteAtATimeEndsWithTheWholeValue() {
        RedissonReply reply = single(100);
        RespDecoding.Replaying decoder = new RespDecoding.Replaying(reply);
        assertThat(replayed(decoder, bulk(VALUE))).containsExactly(VALUE);
        assertThat(decoder.attempts).as("replayed").isGreaterThan(1);
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        assertThat(tooLarge).hasValue(0);
    }

    @Test
    void aRealReplayingDecoderCountsAValueOverTheCapOnce() {
        RedissonReply reply = single(4);
        RespDecoding.Replaying decoder = new RespDecoding.Replaying(reply);
        assertThat(replayed(decoder, bulk(VALUE))).containsExactly(VALUE);
        assertThat(decoder.attempts).isGreaterThan(1);
        assertThat(reply.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).hasValue(1);
    }

    // --- where the element starts, what the buffer is ---------------------------------------------------

    @Test
    void anElementStartingMidBufferIsReadFromTheReaderIndex() {
        String before = "+OK\r\n:12\r\n";
        ByteBuf in = resp(before + bulk(VALUE) + bulk("next"));
        in.readerIndex(before.length());
        RedissonReply reply = single(100);
        assertThat(decode(reply, in)).isEqualTo(VALUE);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        assertThat(in.readerIndex()).as("the walk ends after the reply, not before").isEqualTo(
                before.length() + bulk(VALUE).length());
    }

    @Test
    void aSliceWhoseIndexesAreOffsetInTheUnderlyingMemoryIsRead() {
        ByteBuf backing = resp("garbage" + bulk(VALUE) + "more");
        ByteBuf slice = backing.slice(7, bulk(VALUE).length());
        RedissonReply reply = single(100);
        reply.element(slice, true, 0);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
    }

    @Test
    void aDirectBufferIsRead() {
        ByteBuf direct = Unpooled.directBuffer(64).writeBytes(("xx" + bulk(VALUE)).getBytes(StandardCharsets.UTF_8));
        direct.skipBytes(2);
        RedissonReply reply = single(100);
        decode(reply, direct);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        direct.release();
    }

    @Test
    void aPooledDirectBufferIsReadAndTheValueOutlivesIt() {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        pooled.writeBytes(bulk(VALUE).getBytes(StandardCharsets.UTF_8));
        RedissonReply reply = single(100);
        reply.element(pooled, true, 0);
        pooled.setZero(0, pooled.writerIndex());
        pooled.release();
        assertThat(RespDecoding.text(reply.slot(0))).as("a copy of the bytes").isEqualTo(VALUE);
    }

    @Test
    void aValueSpanningTheComponentsOfACompositeBufferIsRead() {
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        composite.addComponents(true, resp("$13\r\n{\"ver"), Unpooled.directBuffer().writeBytes(
                "sion\":3}\r\n".getBytes(StandardCharsets.UTF_8)));
        RedissonReply reply = single(100);
        decode(reply, composite);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo(VALUE);
        composite.release();
    }

    // --- the values handed out ---------------------------------------------------------------------

    @Test
    void eachSlotIsAnIndependentView() {
        RedissonReply reply = single(100);
        decode(reply, resp(bulk(VALUE)));
        ByteBuffer first = reply.slot(0);
        first.get(new byte[5]);
        assertThat(first.remaining()).isEqualTo(VALUE.length() - 5);
        ByteBuffer second = reply.slot(0);
        assertThat(second).isNotSameAs(first);
        assertThat(second.position()).isZero();
        assertThat(RespDecoding.text(second)).isEqualTo(VALUE);
    }

    @Test
    void aFreshReplyReadsTheSameWayIntoARecordOfItsOwn() {
        RedissonReply reply = fields("version", 5);
        decode(reply, resp(array(bulk("version"), bulk("7"))));
        RedissonReply fresh = reply.fresh();
        assertThat(fresh).isNotSameAs(reply);
        assertThat(fresh.readable()).isFalse();
        assertThat(fresh.slot(0)).isNull();

        decode(fresh, resp(array(bulk("version"), bulk("8"))));
        assertThat(RespDecoding.text(fresh.slot(0))).isEqualTo("8");
        assertThat(RespDecoding.text(reply.slot(0))).as("the first reply is untouched").isEqualTo("7");

        decode(fresh, resp(array(bulk("version"), bulk("123456"))));
        assertThat(fresh.slot(0)).as("the same cap").isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).as("the same counter").hasValue(1);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("7");
    }

    @Test
    void aFreshReplyCountsItsOwnValueOverTheCap() {
        RedissonReply reply = single(4);
        decode(reply, resp(bulk(VALUE)));
        RedissonReply fresh = reply.fresh();
        decode(fresh, resp(bulk(VALUE)));
        assertThat(fresh.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).as("two replies, each over the cap").hasValue(2);
    }

    // --- arrays: MGET, HMGET ----------------------------------------------------------------------------

    @Test
    void theWantedPositionsOfAnArrayAreKept() {
        RedissonReply reply = arrayReply(100, true, false, true, true);
        Object decoded = decode(reply, resp(array(bulk("a"), bulk("b"), "$-1\r\n", bulk(VALUE))));
        assertThat(decoded).isEqualTo(Arrays.asList("a", "b", null, VALUE));
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("a");
        assertThat(reply.slot(1)).as("not wanted").isNull();
        assertThat(reply.slot(2)).as("nil").isNull();
        assertThat(RespDecoding.text(reply.slot(3))).isEqualTo(VALUE);
    }

    @Test
    void aRespThreeNullInAnArrayIsNil() {
        RedissonReply reply = arrayReply(100, true, true);
        decode(reply, resp(array("_\r\n", bulk("x"))));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isNull();
        assertThat(RespDecoding.text(reply.slot(1))).isEqualTo("x");
    }

    @Test
    void anArrayShorterOrLongerThanWantedIsReadAsFarAsItGoes() {
        RedissonReply shorter = arrayReply(100, true, true, true);
        decode(shorter, resp(array(bulk("a"))));
        assertThat(shorter.readable()).isTrue();
        assertThat(RespDecoding.text(shorter.slot(0))).isEqualTo("a");
        assertThat(shorter.slot(2)).isNull();

        RedissonReply longer = arrayReply(100, false, true);
        decode(longer, resp(array(bulk("a"), bulk("b"), bulk("c"), bulk("d"))));
        assertThat(longer.readable()).isTrue();
        assertThat(RespDecoding.text(longer.slot(1))).isEqualTo("b");
    }

    @Test
    void anEmptyArrayIsReadableAndAllNil() {
        RedissonReply reply = arrayReply(100, true, true);
        decode(reply, resp("*0\r\n"));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isNull();
        assertThat(reply.slot(1)).isNull();
    }

    @Test
    void aNestedAggregateMakesTheArrayUnreadable() {
        for (String nested : new String[] {array(bulk("x")), "%1\r\n" + bulk("k") + bulk("v"), "~1\r\n" + bulk("x")}) {
            RedissonReply reply = arrayReply(100, true, true, true);
            decode(reply, resp(array(bulk("a"), nested, bulk("c"))));
            assertThat(reply.readable()).as(nested).isFalse();
        }
    }

    @Test
    void aNumberStatusOrErrorElementMakesTheArrayUnreadable() {
        for (String element : new String[] {":1\r\n", "+OK\r\n", "-ERR x\r\n"}) {
            RedissonReply reply = arrayReply(100, true, true);
            decode(reply, resp(array(bulk("a"), element)));
            assertThat(reply.readable()).as(element).isFalse();
        }
    }

    @Test
    void anArrayReplyOfAnotherShapeIsUnreadable() {
        for (String other : new String[] {bulk("a"), "$-1\r\n", "_\r\n", "-ERR x\r\n", "+OK\r\n", ":3\r\n",
                "%1\r\n" + bulk("k") + bulk("v")}) {
            RedissonReply reply = arrayReply(100, true);
            decode(reply, resp(other));
            assertThat(reply.readable()).as(other).isFalse();
        }
    }

    @Test
    void onlyAWantedValueOverTheCapIsCounted() {
        RedissonReply reply = arrayReply(3, true, false, true);
        decode(reply, resp(array(bulk("abcd"), bulk("efghijkl"), bulk("xyz"))));
        assertThat(reply.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(reply.slot(1)).isNull();
        assertThat(RespDecoding.text(reply.slot(2))).isEqualTo("xyz");
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void anArrayDecodedAgainAfterANewTopStartsOver() {
        RedissonReply reply = arrayReply(100, true, true);
        decode(reply, resp(array(bulk("a"), bulk("b"))));
        decode(reply, resp(array(bulk("c"))));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("c");
        assertThat(reply.slot(1)).as("not in the new reply").isNull();

        decode(reply, resp(array(array(bulk("nested")))));
        assertThat(reply.readable()).isFalse();
        decode(reply, resp(array(bulk("d"), bulk("e"))));
        assertThat(reply.readable()).as("a new reply is no longer broken").isTrue();
        assertThat(RespDecoding.text(reply.slot(1))).isEqualTo("e");
    }

    @Test
    void anArrayWhoseElementHasNotAllArrivedKeepsNothingForIt() {
        String text = array(bulk("abc"), bulk(VALUE));
        ByteBuf whole = resp(text);
        RedissonReply reply = arrayReply(100, true, true);
        reply.element(whole.duplicate().writerIndex(text.length() - 4), true, 0);
        ByteBuf partial = whole.duplicate().writerIndex(text.length() - 4);
        partial.readerIndex("*2\r\n".length());
        reply.element(partial, false, 0);
        partial.readerIndex("*2\r\n".length() + bulk("abc").length());
        reply.element(partial, false, 1);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("abc");
        assertThat(reply.slot(1)).isNull();

        ByteBuf complete = whole.duplicate();
        complete.readerIndex("*2\r\n".length() + bulk("abc").length());
        reply.element(complete, false, 1);
        assertThat(RespDecoding.text(reply.slot(1))).as("decoded again, now whole").isEqualTo(VALUE);
    }

    @Test
    void aRealReplayingDecoderReadsAnArrayAndCountsAValueOverTheCapOnce() {
        RedissonReply reply = arrayReply(6, true, true, false, true);
        RespDecoding.Replaying decoder = new RespDecoding.Replaying(reply);
        List<Object> decoded = replayed(decoder, array(bulk("first"), bulk(VALUE), bulk("skipped value"),
                "$-1\r\n"));
        assertThat(decoded).hasSize(1);
        assertThat(decoder.attempts).isGreaterThan(1);
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("first");
        assertThat(reply.slot(1)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(reply.slot(3)).isNull();
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void aRealReplayingDecoderReadsTwoRepliesOneAfterTheOther() {
        RedissonReply reply = arrayReply(100, true, true);
        RespDecoding.Replaying decoder = new RespDecoding.Replaying(reply);
        List<Object> decoded = replayed(decoder, array(bulk("a"), bulk("b")), array(bulk("c"), "_\r\n"));
        assertThat(decoded).containsExactly(Arrays.asList("a", "b"), Arrays.asList("c", null));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("c");
        assertThat(reply.slot(1)).isNull();
    }

    // --- HGETALL: field, value, field, value ---------------------------------------------------------------

    @Test
    void theValueAfterTheVersionFieldIsKept() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("name"), bulk("x"), bulk("version"), bulk("42"), bulk("other"), bulk("y"))));
        assertThat(reply.readable()).isTrue();
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("42");
    }

    @Test
    void aFieldNameLongerShorterOrOfAnotherCaseIsAnotherField() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("ver"), bulk("1"), bulk("versions"), bulk("2"), bulk("Version"), bulk("3"),
                bulk("versio"), bulk("4"), bulk("version"), bulk("5"), bulk("versionx"), bulk("6"))));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("5");
    }

    @Test
    void withoutTheVersionFieldTheValueIsNil() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("ver"), bulk("1"), bulk("versions"), bulk("2"))));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isNull();

        RedissonReply empty = fields("version", 100);
        decode(empty, resp("*0\r\n"));
        assertThat(empty.readable()).as("a hash that does not exist").isTrue();
        assertThat(empty.slot(0)).isNull();
    }

    @Test
    void onlyFieldNamesAreComparedNotValues() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("a"), bulk("version"), bulk("b"), bulk("9"))));
        assertThat(reply.slot(0)).as("\"version\" was a value").isNull();

        RedissonReply after = fields("version", 100);
        decode(after, resp(array(bulk("a"), bulk("version"), bulk("version"), bulk("10"))));
        assertThat(RespDecoding.text(after.slot(0))).isEqualTo("10");
    }

    @Test
    void aNilVersionValueIsNil() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("version"), "_\r\n")));
        assertThat(reply.readable()).isTrue();
        assertThat(reply.slot(0)).isNull();
    }

    @Test
    void aVersionValueOverTheCapIsUnreadableAndCountedOnceOtherValuesAreNotLookedAt() {
        RedissonReply reply = fields("version", 4);
        decode(reply, resp(array(bulk("payload"), bulk("far more than four bytes"), bulk("version"),
                bulk("123456"))));
        assertThat(reply.slot(0)).isSameAs(RegressionPolicy.UNREADABLE);
        assertThat(tooLarge).hasValue(1);
    }

    @Test
    void aFieldNameLongerThanTheCapIsAnotherFieldNotAValueOverTheCap() {
        RedissonReply reply = fields("version", "version".length());
        decode(reply, resp(array(bulk("versions"), bulk("1"), bulk("a much longer field name"), bulk("2"),
                bulk("version"), bulk("7"))));
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("7");
        assertThat(tooLarge).as("field names are never counted").hasValue(0);
    }

    @Test
    void aRespThreeMapOrANestedElementIsUnreadable() {
        RedissonReply map = fields("version", 100);
        decode(map, resp("%1\r\n" + bulk("version") + bulk("3")));
        assertThat(map.readable()).isFalse();

        RedissonReply nested = fields("version", 100);
        decode(nested, resp(array(bulk("version"), array(bulk("3")))));
        assertThat(nested.readable()).isFalse();
    }

    @Test
    void aReplayOfTheFieldsStartsOverWithoutTheOldMatch() {
        RedissonReply reply = fields("version", 100);
        decode(reply, resp(array(bulk("version"), bulk("1"))));
        decode(reply, resp(array(bulk("other"), bulk("2"), bulk("x"), bulk("3"))));
        assertThat(reply.slot(0)).isNull();
    }

    @Test
    void aRealReplayingDecoderReadsTheVersionField() {
        RedissonReply reply = fields("version", 100);
        RespDecoding.Replaying decoder = new RespDecoding.Replaying(reply);
        List<Object> decoded = replayed(decoder, array(bulk("versions"), bulk("0"), bulk("version"), bulk("11"),
                bulk("name"), bulk("n")));
        assertThat(decoded).containsExactly(Arrays.asList("versions", "0", "version", "11", "name", "n"));
        assertThat(decoder.attempts).isGreaterThan(1);
        assertThat(RespDecoding.text(reply.slot(0))).isEqualTo("11");
    }
}
