package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.RegressionPolicy;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The raw reply of one followed Redisson command, read from the wire as Redisson's {@code CommandDecoder} meets
 * it, before any codec decodes it: the bytes of the bulk strings the guard needs, by their position in the reply.
 * Redisson decodes on its connection's event loop, one element at a time, and may decode an element again when
 * the bytes arrived in pieces (its decoder replays); each element is read where it starts, without moving the
 * buffer's reader index, and a replayed element simply overwrites what was read before.
 *
 * <p>Only two shapes are read: a single bulk string ({@code GET}, {@code HGET}, a write's previous value) and one
 * flat array of bulk strings ({@code MGET}, {@code HMGET}, {@code HGETALL} under RESP2). Anything else (a nested
 * array, a RESP3 map) leaves the reply unreadable, and nothing is checked.
 */
final class RedissonReply {

    /** The reply shapes read. */
    enum Shape {
        /** One bulk string (or nil) at the top. */
        SINGLE,
        /** A flat array; the positions kept are {@link #wanted}. */
        ARRAY,
        /** {@code HGETALL}: field, value, field, value...; the value after the field {@link #field} is kept. */
        FIELDS
    }

    private final Shape shape;

    /** For {@link Shape#ARRAY}: per position in the reply, whether it is kept. */
    private final boolean[] wanted;

    /** For {@link Shape#FIELDS}: the field whose value is kept. */
    private final byte[] field;

    /** The longest value copied; longer ones are {@link RegressionPolicy#UNREADABLE} without being copied. */
    private final int cap;

    private final Runnable tooLarge;

    /**
     * Per position kept: whether its value over {@link #cap} was counted already. Not cleared from the top: a replay
     * meets the same value again, and the value is counted once however often it is decoded.
     */
    private final boolean[] counted;

    /** Per position kept: its bytes, {@code null} for nil (or not seen), {@link RegressionPolicy#UNREADABLE}. */
    private volatile ByteBuffer[] slots;

    /** Whether the top of the reply had the shape expected (cleared again on a replay from the top). */
    private volatile boolean seen;

    /** Whether something of another shape was met: nothing is checked. */
    private volatile boolean broken;

    /** For {@link Shape#FIELDS}: the position of the value to keep next, or -1. */
    private int valueAt = -1;

    private RedissonReply(Shape shape, boolean[] wanted, byte[] field, int cap, Runnable tooLarge) {
        this.shape = shape;
        this.wanted = wanted;
        this.field = field;
        this.cap = cap;
        this.tooLarge = tooLarge;
        this.slots = new ByteBuffer[shape == Shape.ARRAY ? wanted.length : 1];
        this.counted = new boolean[slots.length];
    }

    /** A reply read the same way, for another answer to the same command (the guard's re-read). */
    RedissonReply fresh() {
        return new RedissonReply(shape, wanted, field, cap, tooLarge);
    }

    static RedissonReply single(int cap, Runnable tooLarge) {
        return new RedissonReply(Shape.SINGLE, null, null, cap, tooLarge);
    }

    /** An array of which the positions {@code wanted} are kept. */
    static RedissonReply array(boolean[] wanted, int cap, Runnable tooLarge) {
        return new RedissonReply(Shape.ARRAY, wanted, null, cap, tooLarge);
    }

    static RedissonReply fields(byte[] field, int cap, Runnable tooLarge) {
        return new RedissonReply(Shape.FIELDS, null, field, cap, tooLarge);
    }

    /** The shape of reply a command of {@code kind} has. */
    static Shape shapeOf(CommandKind kind) {
        switch (kind) {
            case MGET:
            case HMGET:
                return Shape.ARRAY;
            case HGETALL:
                return Shape.FIELDS;
            default:
                return Shape.SINGLE;
        }
    }

    /**
     * One element of the reply starts at {@code in}'s reader index.
     *
     * @param top whether it is the reply itself ({@code parts == null} in Redisson's decoder), not an element of it
     * @param position its position in the array being decoded (for an element)
     */
    void element(ByteBuf in, boolean top, int position) {
        int start = in.readerIndex();
        if (start >= in.writerIndex()) {
            return; // not there yet: Redisson's decoder replays this element when more bytes arrive
        }
        byte type = in.getByte(start);
        if (top) {
            restart();
            if (shape == Shape.SINGLE) {
                if (type == '$' || type == '_') {
                    seen = true;
                    slots[0] = type == '$' ? value(in, start, 0) : null;
                }
                // anything else (an error, a status, a number): not a value, nothing is read
            } else if (type == '*') {
                seen = true;
            } else {
                broken = true;
            }
            return;
        }
        if (!seen || broken) {
            return;
        }
        if (type != '$' && type != '_') {
            broken = true; // a nested aggregate, or a RESP3 type this reading does not know
            return;
        }
        if (shape == Shape.ARRAY) {
            if (position < wanted.length && wanted[position]) {
                slots[position] = type == '$' ? value(in, start, position) : null;
            }
            return;
        }
        // FIELDS: an even position is a field name, the odd one after it its value.
        if (position % 2 == 0) {
            ByteBuffer name = type == '$' ? bulk(in, start, field.length, -1) : null;
            valueAt = name != null && name.equals(ByteBuffer.wrap(field)) ? position + 1 : -1;
        } else if (position == valueAt) {
            slots[0] = type == '$' ? value(in, start, 0) : null;
        }
    }

    private void restart() {
        seen = false;
        broken = false;
        valueAt = -1;
        Arrays.fill(slots, null);
    }

    /** Whether the reply had the shape expected and was read whole. */
    boolean readable() {
        return seen && !broken;
    }

    /** The value kept at {@code position} ({@code 0} for a single value): {@code null} for nil. */
    ByteBuffer slot(int position) {
        ByteBuffer value = slots[position];
        return value == null || value == RegressionPolicy.UNREADABLE ? value : value.duplicate();
    }

    /** The value kept at {@code slot}, a bulk string starting at {@code start}. */
    private ByteBuffer value(ByteBuf in, int start, int slot) {
        return bulk(in, start, cap, slot);
    }

    /**
     * The bulk string starting at {@code start} ({@code $<length>\r\n<bytes>\r\n}), read without moving the reader
     * index: {@code null} for {@code $-1} or when its bytes have not all arrived (the element is decoded again
     * then); for a value, {@link RegressionPolicy#UNREADABLE} when it is longer than {@code limit} (counted once
     * per slot); for a field name, {@code null} when it is longer than the one looked for.
     *
     * @param slot the slot a value is kept in, or {@code -1} for a field name
     */
    private ByteBuffer bulk(ByteBuf in, int start, int limit, int slot) {
        int end = in.writerIndex();
        int index = start + 1;
        boolean negative = false;
        long length = 0;
        if (index < end && in.getByte(index) == '-') {
            negative = true;
            index++;
        }
        while (index < end) {
            byte digit = in.getByte(index);
            if (digit == '\r') {
                break;
            }
            if (digit < '0' || digit > '9' || length > Integer.MAX_VALUE) {
                return RegressionPolicy.UNREADABLE;
            }
            length = length * 10 + (digit - '0');
            index++;
        }
        if (negative || index + 2 > end) {
            return null;
        }
        int from = index + 2; // after \r\n
        if (length > limit) {
            if (slot < 0) {
                return null; // a field name longer than the one looked for: another field
            }
            if (!counted[slot]) {
                counted[slot] = true;
                tooLarge.run();
            }
            return RegressionPolicy.UNREADABLE;
        }
        if (from + length > end) {
            return null;
        }
        byte[] bytes = new byte[(int) length];
        in.getBytes(from, bytes);
        return ByteBuffer.wrap(bytes);
    }
}
