package io.stateguard.agent.lettuce;

import io.lettuce.core.KeyValue;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.output.CommandOutput;
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
     * The value of each tracked key in {@code output}'s reply; {@code null} entries are nil.
     * {@code null} when the reply has an unexpected shape (then nothing is checked).
     *
     * @param hashVersion the version spec of the command's (single) hash rule, for {@code HMGET} and
     *     {@code HGETALL}; {@code null} otherwise.
     */
    static ByteBuffer[] values(TrackedCommand command, CommandOutput<?, ?, ?> output, VersionSpec hashVersion)
            throws Throwable {
        Object reply = output.get();
        RedisCodec<?, ?> codec = LettuceFields.outputCodec(output);
        ByteBuffer[] values = new ByteBuffer[command.keyCount()];
        switch (command.kind()) {
            case GET:
            case HGET:
                values[0] = bytes(reply, codec);
                return values;
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
                            values[i] = keyValue.hasValue() ? bytes(keyValue.getValue(), codec) : null;
                        }
                    }
                }
                return values;
            case HMGET:
            case HGETALL:
                return hashVersion == null ? null : versionField(reply, codec, hashVersion, values);
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
        if (reply == null) {
            return WriteReply.NOT_APPLIED;
        }
        if (reply instanceof Boolean) {
            return (Boolean) reply ? WriteReply.APPLIED : WriteReply.NOT_APPLIED;
        }
        if (reply instanceof Long || reply instanceof Integer) {
            return ((Number) reply).longValue() != 0 ? WriteReply.APPLIED : WriteReply.NOT_APPLIED;
        }
        if (reply instanceof String) {
            return "OK".equalsIgnoreCase((String) reply) ? WriteReply.APPLIED : WriteReply.UNREADABLE;
        }
        return WriteReply.UNREADABLE;
    }

    private static ByteBuffer[] versionField(Object reply, RedisCodec<?, ?> codec, VersionSpec spec,
            ByteBuffer[] values) {
        if (reply instanceof Map) {
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) reply).entrySet()) {
                byte[] field = CommandKeys.encode(entry.getKey(), codec, true);
                if (field != null && spec.isHashField(field, 0, field.length)) {
                    values[0] = bytes(entry.getValue(), codec);
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
                    values[0] = bytes(keyValue.getValue(), codec);
                }
            }
            return values;
        }
        return null;
    }

    private static ByteBuffer bytes(Object value, RedisCodec<?, ?> codec) {
        byte[] encoded = value == null ? null : CommandKeys.encode(value, codec, false);
        return encoded == null ? null : ByteBuffer.wrap(encoded);
    }
}
