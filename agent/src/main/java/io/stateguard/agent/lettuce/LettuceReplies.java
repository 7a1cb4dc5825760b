package io.stateguard.agent.lettuce;

import io.lettuce.core.KeyValue;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.output.CommandOutput;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.RegressionPolicy;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.guard.WriteReply;
import io.stateguard.agent.versions.VersionSpec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the values of a tracked read from a decoded Lettuce reply, as the bytes the server sent
 * (re-encoded with the output's codec): for string rules the value, for hash rules the version
 * field's value. Reads a tracked write's reply as the guard's {@link WriteReply}.
 */
final class LettuceReplies {

    private LettuceReplies() {
    }

    /**
     * Per thread: the array, buffer and view a single-value reply is read into. A reply's values are
     * used only during the guard's judgement on the same thread, never kept (a regression keeps the
     * key and the versions, not the value), so one set per event-loop thread serves every reply.
     */
    private static final ThreadLocal<Scratch> SCRATCH = new ThreadLocal<Scratch>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private static final class Scratch {
        final ByteBuffer[] one = new ByteBuffer[1];
        byte[] bytes = new byte[512];
        ByteBuffer view = ByteBuffer.wrap(bytes);
    }

    /**
     * The value of each tracked key in {@code output}'s reply; {@code null} entries are nil.
     * {@code null} when the reply has an unexpected shape or a value too large to read (then nothing
     * is checked). The array and buffers of a single-value reply are per-thread scratch: valid until
     * the next call on this thread.
     *
     * @param rules the rules by index, for each key's version spec (its size cap; for {@code HMGET} and
     *     {@code HGETALL} the hash rule's version field).
     * @param tooLarge counts a value rejected over its rule's size cap before it was copied.
     */
    static ByteBuffer[] values(TrackedCommand command, CommandOutput<?, ?, ?> output, List<Rule> rules,
            Runnable tooLarge) throws Throwable {
        VersionSpec version = rules.get(command.rule(0)).version();
        Object reply = output.get();
        RedisCodec<?, ?> codec = LettuceFields.outputCodec(output);
        switch (command.kind()) {
            case GET:
            case HGET: {
                Scratch scratch = SCRATCH.get();
                ByteBuffer[] one = scratch.one;
                one[0] = null;
                if (reply != null && !readInto(scratch, reply, codec, version.maxValueBytes())) {
                    tooLarge.run();
                    return null;
                }
                if (reply != null) {
                    one[0] = scratch.view;
                }
                return one;
            }
            default:
                break;
        }
        ByteBuffer[] values = new ByteBuffer[command.keyCount()];
        switch (command.kind()) {
            case MGET:
                if (!(reply instanceof List)) {
                    return null;
                }
                for (Object each : (List<?>) reply) {
                    if (!(each instanceof KeyValue)) {
                        return null;
                    }
                    KeyValue<?, ?> keyValue = (KeyValue<?, ?>) each;
                    byte[] key = CommandKeys.encode(keyValue.getKey(), codec, true);
                    for (int i = 0; i < values.length; i++) {
                        if (Arrays.equals(command.key(i), key)) {
                            values[i] = keyValue.hasValue() ? bytes(keyValue.getValue(), codec, rules.get(command.rule(i)).version().maxValueBytes(),
                                    tooLarge) : null;
                        }
                    }
                }
                return values;
            case HMGET:
            case HGETALL:
                return versionField(reply, codec, version, values, tooLarge);
            default:
                return null;
        }
    }

    /**
     * What a tracked write's reply says: for a write returning the previous value ({@code SET … GET},
     * {@code GETSET}: a {@code ValueOutput}) that value; otherwise whether it was applied, from the
     * output's value: {@code "OK"} or nil ({@code StatusOutput}), {@code Boolean} ({@code BooleanOutput}
     * of {@code SETNX}, {@code MSETNX}, {@code HSETNX}), a {@code Long} count ({@code IntegerOutput}, as a
     * command dispatched by hand may use).
     */
    static WriteReply writeReply(TrackedCommand command, CommandOutput<?, ?, ?> output) throws Throwable {
        Object reply = output.get();
        if (command.returnsPrevious()) {
            if (reply == null) {
                return WriteReply.previous(null);
            }
            ByteBuffer previous = bytes(reply, LettuceFields.outputCodec(output));
            return previous == null ? WriteReply.UNREADABLE : WriteReply.previous(previous);
        }
        // A nil reply (StatusOutput of SET … NX not applied) says the write was not applied.
        return reply == null ? WriteReply.NOT_APPLIED : WriteReply.ofDecoded(reply);
    }

    private static ByteBuffer[] versionField(Object reply, RedisCodec<?, ?> codec, VersionSpec spec,
            ByteBuffer[] values, Runnable tooLarge) {
        if (reply instanceof Map) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) reply).entrySet()) {
                byte[] field = CommandKeys.encode(entry.getKey(), codec, true);
                if (field != null && spec.isHashField(field, 0, field.length)) {
                    values[0] = bytes(entry.getValue(), codec, spec.maxValueBytes(), tooLarge);
                }
            }
            return values;
        }
        if (reply instanceof List) {
            for (Object each : (List<?>) reply) {
                if (!(each instanceof KeyValue)) {
                    continue;
                }
                KeyValue<?, ?> keyValue = (KeyValue<?, ?>) each;
                byte[] field = CommandKeys.encode(keyValue.getKey(), codec, true);
                if (field != null && spec.isHashField(field, 0, field.length) && keyValue.hasValue()) {
                    values[0] = bytes(keyValue.getValue(), codec, spec.maxValueBytes(), tooLarge);
                }
            }
            return values;
        }
        return null;
    }

    /**
     * Puts the bytes the server sent for {@code value} into {@code scratch.view}: a {@code byte[]} of
     * the {@code ByteArrayCodec} is wrapped, an ASCII {@code String} of a UTF-8 codec is written into
     * the scratch buffer, anything else is encoded by the codec.
     *
     * @return {@code false} when the value is certainly longer than {@code cap} bytes: rejected
     *     before anything was copied (a {@code String} has at least as many UTF-8 bytes as chars).
     */
    private static boolean readInto(Scratch scratch, Object value, RedisCodec<?, ?> codec, int cap) {
        if (value instanceof byte[] && codec instanceof ByteArrayCodec) {
            byte[] bytes = (byte[]) value;
            if (bytes.length > cap) {
                return false;
            }
            scratch.view = ByteBuffer.wrap(bytes);
            return true;
        }
        if (value instanceof String) {
            String text = (String) value;
            int length = text.length();
            if (length > cap) {
                return false;
            }
            if (CommandKeys.sendsUtf8(codec) && asciiInto(scratch, text, length)) {
                return true;
            }
        }
        byte[] encoded = CommandKeys.encode(value, codec, false);
        scratch.view = encoded == null ? null : ByteBuffer.wrap(encoded); // a codec that encodes to nothing: nil
        return true;
    }

    /** Writes an all-ASCII {@code text} into the scratch buffer (its UTF-8 bytes); {@code false} otherwise. */
    private static boolean asciiInto(Scratch scratch, String text, int length) {
        byte[] bytes = scratch.bytes;
        if (bytes.length < length) {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            bytes[i] = (byte) c;
        }
        if (bytes != scratch.bytes || scratch.view == null || scratch.view.array() != bytes) {
            scratch.bytes = bytes;
            scratch.view = ByteBuffer.wrap(bytes);
        }
        scratch.view.clear();
        scratch.view.limit(length);
        return true;
    }

    /** The bytes of a write's previous value (its version is read by the guard, which applies the cap). */
    private static ByteBuffer bytes(Object value, RedisCodec<?, ?> codec) {
        byte[] encoded = value == null ? null : CommandKeys.encode(value, codec, false);
        return encoded == null ? null : ByteBuffer.wrap(encoded);
    }

    /**
     * The bytes of one value of a multi-value reply; {@link RegressionPolicy#UNREADABLE} (counted) when
     * it is certainly longer than {@code cap} bytes, found before it is copied.
     */
    private static ByteBuffer bytes(Object value, RedisCodec<?, ?> codec, int cap, Runnable tooLarge) {
        if (value instanceof String && ((String) value).length() > cap
                || value instanceof byte[] && ((byte[]) value).length > cap) {
            tooLarge.run();
            return RegressionPolicy.UNREADABLE;
        }
        return bytes(value, codec);
    }

}
