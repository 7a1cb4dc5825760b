package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.stateguard.agent.guard.CommandKind;
import io.stateguard.agent.guard.EncodedArguments;

import java.nio.charset.StandardCharsets;

/**
 * A Redisson command's parameters as the bytes Redis receives, for the guard's client-neutral
 * {@link io.stateguard.agent.guard.CommandClassifier}. Redisson's {@code CommandEncoder} writes a {@code String} as
 * UTF-8, a {@code byte[]} as it is, a {@code ByteBuf} (values and map fields the object's codec encoded) as its
 * readable bytes, and anything else (numbers, option words) as its {@code toString()} in UTF-8; the copies here do
 * the same, and never move a buffer's reader index.
 */
final class RedissonArguments {

    private RedissonArguments() {
    }

    /**
     * The arguments of a command of {@code kind}: which of them are keys or hash fields (what the classifier reads
     * as names), which are numbers (never taken for a value written), which are values.
     */
    static EncodedArguments of(CommandKind kind, Object[] params) {
        EncodedArguments arguments = new EncodedArguments();
        for (int i = 0; i < params.length; i++) {
            Object param = params[i];
            if (param instanceof Number) {
                arguments.addNumber(bytes(param));
            } else {
                arguments.add(isName(kind, i), bytes(param));
            }
        }
        return arguments;
    }

    /** Whether parameter {@code index} of a {@code kind} command is a key or a hash field. */
    static boolean isName(CommandKind kind, int index) {
        switch (kind) {
            case MGET:
            case DELETE:
                return true;
            case MSET:
            case MSETNX:
                return index % 2 == 0;
            case HGET:
            case HMGET:
                return true;
            case HSET:
            case HSETNX:
                return index == 0 || index % 2 == 1;
            default:
                return index == 0;
        }
    }

    /** The bytes Redisson sends for one parameter; {@code null} for a {@code null} parameter. */
    static byte[] bytes(Object param) {
        if (param == null) {
            return null;
        }
        if (param instanceof byte[]) {
            return (byte[]) param;
        }
        if (param instanceof ByteBuf) {
            ByteBuf buffer = (ByteBuf) param;
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.getBytes(buffer.readerIndex(), bytes);
            return bytes;
        }
        return param.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The parameters for the guard's re-read of a command: buffers copied into arrays (Redisson releases a command's
     * buffers once it completes, and sends an array as the same bytes); everything else as it is. The array itself
     * when it holds no buffer (a {@code GET}'s key name): nothing is allocated for the common case.
     */
    static Object[] forReread(Object[] params) {
        Object[] copy = null;
        for (int i = 0; i < params.length; i++) {
            if (params[i] instanceof ByteBuf) {
                if (copy == null) {
                    copy = params.clone();
                }
                copy[i] = bytes(params[i]);
            }
        }
        return copy == null ? params : copy; // a re-read clones it again before it is sent
    }
}
