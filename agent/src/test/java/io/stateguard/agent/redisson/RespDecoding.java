package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ReplayingDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test helper: decodes a RESP reply the way Redisson's {@code CommandDecoder} walks it, and enters
 * {@link RedissonReply#element} where the agent's advice on {@code decode(ByteBuf in, CommandData data, List parts,
 * ...)} does: once for the reply itself ({@code parts == null}), then for each element of an array, at position
 * {@code parts.size()} of the list of that array. Reading past the bytes that arrived throws (a plain buffer's
 * {@link IndexOutOfBoundsException}, or the replay signal of a {@link ReplayingDecoder}'s buffer). Every call of
 * {@code element} is checked to leave the reader index where it was and to throw nothing.
 */
final class RespDecoding {

    private RespDecoding() {
    }

    /** The text of a value the reply kept (a value, not nil or unreadable), without moving its position. */
    static String text(java.nio.ByteBuffer buffer) {
        org.assertj.core.api.Assertions.assertThat(buffer).isNotNull()
                .isNotSameAs(io.stateguard.agent.guard.RegressionPolicy.UNREADABLE);
        java.nio.ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    static ByteBuf resp(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** {@code $<length>\r\n<text>\r\n}. */
    static String bulk(String text) {
        return "$" + text.getBytes(StandardCharsets.UTF_8).length + "\r\n" + text + "\r\n";
    }

    /** An array of these elements, each already in RESP. */
    static String array(String... elements) {
        return "*" + elements.length + "\r\n" + String.join("", elements);
    }

    /**
     * Decodes one whole reply from {@code in}'s reader index, which ends after it: a bulk string as its text, nil
     * as {@code null}, an integer as a {@code Long}, a status or error as its line, an aggregate as a list.
     */
    static Object decode(RedissonReply reply, ByteBuf in) {
        return decode(reply, in, null);
    }

    private static Object decode(RedissonReply reply, ByteBuf in, List<Object> parts) {
        int start = in.readerIndex();
        try {
            reply.element(in, parts == null, parts == null ? 0 : parts.size());
        } catch (Throwable t) {
            throw new AssertionError("element(...) threw", t);
        }
        if (in.readerIndex() != start) {
            throw new AssertionError("element(...) moved the reader index from " + start + " to " + in.readerIndex());
        }
        byte type = in.readByte();
        switch (type) {
            case '+':
            case '-':
            case ',':
            case '#':
                return (char) type + line(in);
            case ':':
                return Long.parseLong(line(in));
            case '_':
                line(in);
                return null;
            case '$': {
                int length = Integer.parseInt(line(in));
                if (length < 0) {
                    return null;
                }
                byte[] bytes = new byte[length];
                in.readBytes(bytes);
                in.skipBytes(2);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*':
            case '~':
            case '>':
            case '%': {
                int count = Integer.parseInt(line(in));
                if (count < 0) {
                    return null;
                }
                if (type == '%') {
                    count *= 2;
                }
                List<Object> elements = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    elements.add(decode(reply, in, elements));
                }
                return elements;
            }
            default:
                throw new IllegalArgumentException("not RESP: " + (char) type);
        }
    }

    private static String line(ByteBuf in) {
        int length = in.bytesBefore((byte) '\r');
        if (length < 0) {
            throw new IndexOutOfBoundsException("the end of the line has not arrived");
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        in.skipBytes(2);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * A real Netty {@link ReplayingDecoder} around {@link #decode}, as Redisson's decoder is one: while the bytes
     * of a reply have not all arrived, each attempt to decode it ends in a replay from its start when more come.
     * Each decoded reply is put out as a one-element list (a nil reply cannot be put out as itself).
     */
    static final class Replaying extends ReplayingDecoder<Void> {

        private final RedissonReply reply;

        /** How many times decoding a reply was started. */
        int attempts;

        Replaying(RedissonReply reply) {
            this.reply = reply;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            attempts++;
            out.add(Collections.singletonList(RespDecoding.decode(reply, in)));
        }
    }
}
