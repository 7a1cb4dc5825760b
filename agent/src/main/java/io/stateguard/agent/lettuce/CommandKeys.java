package io.stateguard.agent.lettuce;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.RedisCommand;
import io.stateguard.agent.guard.EncodedArguments;
import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.keys.KeyHash;
import io.stateguard.agent.keys.KeyMatcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Finds the keys of a Lettuce command and matches them against a {@link KeyMatcher}, without
 * decoding and, for Lettuce's own {@code StringCodec} (UTF-8) and {@code ByteArrayCodec}, without
 * allocating. Lettuce's {@code CommandArgs} does not expose its arguments, so the argument list and
 * the key/value fields are read through {@link LettuceFields}; where they are not found, the public
 * {@code CommandArgs.getFirstEncodedKey()} is used.
 *
 * <p>Only the first key argument is a key for most commands: Lettuce adds hash fields
 * ({@code HGET}, {@code HMGET}) as key arguments too. Commands whose key arguments are all keys
 * ({@code MGET}, {@code EXISTS}, set algebra, scripts, ...) are listed in
 * {@link io.stateguard.agent.keys.KeyArguments#allKeys(String)}.
 */
public final class CommandKeys implements CommandKeyReader {

    /** The reader handed to the client-neutral routing and guard with each command. */
    public static final CommandKeys READER = new CommandKeys();

    private static final String UTF8_STRING_CODEC = "io.lettuce.core.codec.Utf8StringCodec";

    /** Per {@link CommandType} ordinal: whether all its key arguments are keys. */
    private static final boolean[] MULTI_KEY;

    static {
        CommandType[] types = CommandType.values();
        MULTI_KEY = new boolean[types.length];
        for (CommandType type : types) {
            MULTI_KEY[type.ordinal()] = isMultiKey(type.name());
        }
    }

    private CommandKeys() {
    }

    @Override
    public int firstAcceptedRule(Object command, KeyMatcher matcher, boolean[] accepted) {
        RedisCommand<?, ?, ?> redisCommand = (RedisCommand<?, ?, ?>) command;
        return firstAcceptedRule(redisCommand.getType(), redisCommand.getArgs(), matcher, accepted);
    }

    @Override
    public long keyHash(Object command) {
        RedisCommand<?, ?, ?> redisCommand = (RedisCommand<?, ?, ?>) command;
        CommandArgs<?, ?> args = redisCommand.getArgs();
        if (args == null) {
            return KeyHash.NONE;
        }
        if (!LettuceFields.hasArgumentList()) {
            ByteBuffer encoded = args.getFirstEncodedKey();
            return encoded == null ? KeyHash.NONE : isMultiKey(redisCommand.getType()) ? KeyHash.MANY : hash(encoded);
        }
        try {
            long found = KeyHash.NONE;
            for (Object argument : LettuceFields.singularArguments(args)) {
                if (argument.getClass() != LettuceFields.KEY_ARGUMENT_CLASS) {
                    continue;
                }
                if (found != KeyHash.NONE) {
                    return KeyHash.MANY; // reached only for commands whose key arguments are all keys
                }
                found = hashKey(LettuceFields.key(argument), LettuceFields.keyCodec(argument));
                if (!isMultiKey(redisCommand.getType())) {
                    return found; // HGET, HMGET: the other key arguments are fields
                }
            }
            return found;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long[] writtenKeyHashes(Object command) {
        CommandArgs<?, ?> args = ((RedisCommand<?, ?, ?>) command).getArgs();
        if (args == null || !LettuceFields.hasArgumentList()) {
            return null;
        }
        try {
            long[] hashes = new long[4];
            int count = 0;
            for (Object argument : LettuceFields.singularArguments(args)) {
                if (argument.getClass() == LettuceFields.KEY_ARGUMENT_CLASS) {
                    long hash = hashKey(LettuceFields.key(argument), LettuceFields.keyCodec(argument));
                    if (hash == KeyHash.MANY) {
                        return null;
                    }
                    if (count == hashes.length) {
                        hashes = java.util.Arrays.copyOf(hashes, count * 2);
                    }
                    hashes[count++] = hash; // a hash field (HSET) counted as a key only costs a replica read
                }
            }
            return java.util.Arrays.copyOf(hashes, count);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static long hashKey(Object key, RedisCodec<?, ?> codec) {
        if (key == null || codec == null) {
            return KeyHash.MANY; // unreadable: counted as "several keys", which is the safe side
        }
        if (key instanceof byte[] && codec instanceof ByteArrayCodec) {
            byte[] bytes = (byte[]) key;
            return KeyHash.of(bytes, 0, bytes.length);
        }
        if (key instanceof String && sendsUtf8(codec)) {
            return KeyHash.ofUtf8((String) key);
        }
        ByteBuffer encoded = ((RedisCodec) codec).encodeKey(key);
        return encoded == null ? KeyHash.MANY : hash(encoded);
    }

    private static long hash(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return KeyHash.of(bytes, 0, bytes.length);
    }

    /**
     * Matches the keys of one command.
     *
     * @param type the command's type (usually a {@code CommandType} constant).
     * @param args the command's arguments, may be {@code null}.
     * @param matcher the compiled key patterns.
     * @param accepted which rule indexes count; a key matching another rule is skipped.
     * @return the rule index of the first key (in argument order) whose rule is accepted, or -1.
     */
    public static int firstAcceptedRule(ProtocolKeyword type, CommandArgs<?, ?> args, KeyMatcher matcher,
            boolean[] accepted) {
        if (args == null) {
            return -1;
        }
        if (!LettuceFields.hasArgumentList()) {
            return fallbackFirstKey(args, matcher, accepted);
        }
        try {
            List<?> arguments = LettuceFields.singularArguments(args);
            boolean allKeys = false;
            boolean allKeysKnown = false;
            for (int i = 0, n = arguments.size(); i < n; i++) {
                Object argument = arguments.get(i);
                if (argument.getClass() != LettuceFields.KEY_ARGUMENT_CLASS) {
                    continue;
                }
                int rule = matchKey(LettuceFields.key(argument), LettuceFields.keyCodec(argument), matcher);
                if (rule >= 0 && accepted[rule]) {
                    return rule;
                }
                if (!allKeysKnown) {
                    // Looked up only when the first key did not decide: most commands stop here.
                    allKeys = isMultiKey(type);
                    allKeysKnown = true;
                }
                if (!allKeys) {
                    return -1;
                }
            }
            return -1;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The bytes the codec sends for the command's first key argument, or {@code null} when there is
     * none. Allocates only what {@link #encode} allocates.
     */
    public static byte[] firstKeyBytes(CommandArgs<?, ?> args) {
        if (args == null || !LettuceFields.hasArgumentList()) {
            return null;
        }
        try {
            for (Object argument : LettuceFields.singularArguments(args)) {
                if (argument.getClass() == LettuceFields.KEY_ARGUMENT_CLASS) {
                    return encode(LettuceFields.key(argument), LettuceFields.keyCodec(argument), true);
                }
                if (argument.getClass() == LettuceFields.VALUE_ARGUMENT_CLASS) {
                    return null; // a value before any key: not a key command
                }
            }
            return null;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The key and value arguments of a command, in order, as the bytes the codec sends; words
     * (options such as {@code NX}) count as value arguments, numbers as number arguments. Allocates;
     * for the version guard, which looks at few commands, not for routing.
     */
    public static EncodedArguments encodedArguments(CommandArgs<?, ?> args) {
        EncodedArguments encoded = new EncodedArguments();
        if (args == null || !LettuceFields.hasArgumentList()) {
            return encoded;
        }
        try {
            for (Object argument : LettuceFields.singularArguments(args)) {
                if (argument.getClass() == LettuceFields.KEY_ARGUMENT_CLASS) {
                    encoded.add(true, encode(LettuceFields.key(argument), LettuceFields.keyCodec(argument), true));
                } else if (!LettuceFields.hasValueArguments()) {
                    continue; // without values, an option word could be taken for the value written
                } else if (argument.getClass() == LettuceFields.VALUE_ARGUMENT_CLASS) {
                    encoded.add(false, encode(LettuceFields.value(argument), LettuceFields.valueCodec(argument),
                            false));
                } else {
                    byte[] word = LettuceFields.word(argument);
                    if (word != null) {
                        encoded.add(false, word); // an option (SET's NX, XX, GET): a value argument too
                    } else {
                        byte[] number = LettuceFields.number(argument);
                        if (number != null) {
                            encoded.addNumber(number); // EXPIRE's time to live, SETEX's seconds
                        }
                    }
                }
            }
            return encoded;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The bytes {@code codec} sends for a key or value; {@code null} for a null object. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static byte[] encode(Object object, RedisCodec<?, ?> codec, boolean key) {
        if (object == null || codec == null) {
            return null;
        }
        if (object instanceof byte[] && codec instanceof ByteArrayCodec) {
            return (byte[]) object;
        }
        if (object instanceof String && sendsUtf8(codec)) {
            return ((String) object).getBytes(StandardCharsets.UTF_8);
        }
        RedisCodec raw = codec;
        ByteBuffer buffer = key ? raw.encodeKey(object) : raw.encodeValue(object);
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** Whether all key arguments of the command are keys (not hash fields). */
    static boolean isMultiKey(ProtocolKeyword type) {
        if (type instanceof CommandType) {
            return MULTI_KEY[((CommandType) type).ordinal()];
        }
        return type != null && isMultiKey(nameOf(type));
    }

    /**
     * The command's name as sent. {@code ProtocolKeyword.name()} is not there in every Lettuce (6.2 to
     * 6.7 dropped it, 6.8 brought it back as a default method), so the enum's name, else {@code toString()}.
     */
    static String nameOf(ProtocolKeyword type) {
        return type instanceof Enum ? ((Enum<?>) type).name() : type.toString();
    }

    /** Whether all key arguments of the command named {@code name} are keys (not hash fields). */
    public static boolean isMultiKey(String name) {
        return io.stateguard.agent.keys.KeyArguments.allKeys(name);
    }

    /** The last codec found to send strings as UTF-8 (usually {@code StringCodec.UTF8}); racy, benign. */
    private static RedisCodec<?, ?> lastUtf8Codec = StringCodec.UTF8;

    /** Whether {@code codec} sends a {@code String} as its UTF-8 bytes, so the bytes need no codec call. */
    static boolean sendsUtf8(RedisCodec<?, ?> codec) {
        if (codec == lastUtf8Codec) {
            return true;
        }
        boolean utf8 = codec instanceof StringCodec ? LettuceFields.isUtf8((StringCodec) codec)
                : codec.getClass().getName().equals(UTF8_STRING_CODEC);
        if (utf8) {
            lastUtf8Codec = codec;
        }
        return utf8;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int matchKey(Object key, RedisCodec<?, ?> codec, KeyMatcher matcher) {
        if (key == null || codec == null) {
            return -1;
        }
        if (key instanceof byte[] && codec instanceof ByteArrayCodec) {
            return matcher.match((byte[]) key);
        }
        if (key instanceof String && sendsUtf8(codec)) {
            return matcher.match((String) key);
        }
        ByteBuffer encoded = ((RedisCodec) codec).encodeKey(key);
        return encoded == null ? -1 : matcher.match(encoded);
    }

    private static int fallbackFirstKey(CommandArgs<?, ?> args, KeyMatcher matcher, boolean[] accepted) {
        ByteBuffer encoded = args.getFirstEncodedKey();
        if (encoded == null) {
            return -1;
        }
        int rule = matcher.match(encoded);
        return rule >= 0 && accepted[rule] ? rule : -1;
    }
}
