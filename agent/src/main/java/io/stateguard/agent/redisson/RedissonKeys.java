package io.stateguard.agent.redisson;

import io.netty.buffer.ByteBuf;
import io.stateguard.agent.keys.CommandKeyReader;
import io.stateguard.agent.keys.KeyArguments;
import io.stateguard.agent.keys.KeyHash;
import io.stateguard.agent.keys.KeyMatcher;

/**
 * Finds the keys of a Redisson command among its parameters and matches them, without decoding and
 * without copying. Redisson passes key names unencoded, as the application (or its {@code NameMapper})
 * made them: a {@code String} (sent as UTF-8), a {@code byte[]} (Spring Data Redis) or a {@code ByteBuf};
 * values and map fields come already encoded by the object's codec and are never taken for keys.
 *
 * <p>Which parameters are keys depends on the command: the first for most commands (what follows,
 * such as {@code HGET}'s field, is not a key), all of them for the commands of
 * {@link KeyArguments#allKeys} and for writes of several keys ({@link #writesSeveralKeys}), and for scripts
 * ({@code [script, numkeys, keys..., args...]}) the {@code numkeys} after the script.
 */
public final class RedissonKeys implements CommandKeyReader {

    /** The reader handed to the client-neutral routing with each {@link Read}. */
    public static final RedissonKeys READER = new RedissonKeys();

    private RedissonKeys() {
    }

    /** One command as Redisson dispatches it: its name and parameters. Immutable. */
    public static final class Read {

        final String name;

        final Object[] params;

        final boolean keysOnly;

        private Read(String name, Object[] params, boolean keysOnly) {
            this.name = name;
            this.params = params;
            this.keysOnly = keysOnly;
        }

        /** A command named {@code name} (as sent, such as {@code GET}) with Redisson's {@code params}. */
        public static Read command(String name, Object[] params) {
            return new Read(name, params, false);
        }

        /** A script's keys alone (the {@code keys} list of {@code evalAsync}). */
        public static Read keys(Object[] keys) {
            return new Read(null, keys, true);
        }
    }

    @Override
    public int firstAcceptedRule(Object command, KeyMatcher matcher, boolean[] accepted) {
        Read read = (Read) command;
        long range = keyRange(read);
        for (int i = (int) (range >>> 32); i < (int) range; i++) {
            int rule = match(read.params[i], matcher);
            if (rule >= 0 && accepted[rule]) {
                return rule;
            }
        }
        return -1;
    }

    @Override
    public long keyHash(Object command) {
        Read read = (Read) command;
        long range = keyRange(read);
        int from = (int) (range >>> 32);
        int to = (int) range;
        if (to <= from) {
            return KeyHash.NONE;
        }
        return to - from > 1 ? KeyHash.MANY : hash(read.params[from]);
    }

    @Override
    public long[] writtenKeyHashes(Object command) {
        Read read = (Read) command;
        long range = keyRange(read);
        int from = (int) (range >>> 32);
        int to = (int) range;
        long[] hashes = new long[Math.max(0, to - from)];
        for (int i = from; i < to; i++) {
            long hash = hash(read.params[i]);
            if (hash == KeyHash.MANY) {
                return null; // unreadable: the write counts for every key, the safe side
            }
            hashes[i - from] = hash;
        }
        return hashes;
    }

    /**
     * Which parameters are keys: {@code from} in the high 32 bits, {@code to} (exclusive) in the low ones. The first
     * for most commands, all of them for the commands of {@link KeyArguments#allKeys} and a script's keys alone, and
     * for a script's parameters the {@code numkeys} after the script.
     */
    private static long keyRange(Read read) {
        Object[] params = read.params;
        if (params == null || params.length == 0) {
            return 0L;
        }
        int from = 0;
        int to;
        if (read.keysOnly) {
            to = params.length;
        } else if (isScript(read.name)) {
            if (params.length < 2) {
                return 0L;
            }
            from = 2;
            to = (int) Math.min(params.length, 2L + numberOfKeys(params[1]));
        } else {
            to = KeyArguments.allKeys(read.name) || writesSeveralKeys(read.name) ? params.length : 1;
        }
        return (long) from << 32 | to;
    }

    /**
     * Whether a write names several keys ({@code MSET}, {@code DEL}, {@code RENAME}, the {@code *STORE} commands and
     * the like): every parameter is then taken for a key. Values and other arguments among them can only match a
     * rule by chance, which costs a primary read, never a stale one; a key left out could cost a stale one.
     */
    static boolean writesSeveralKeys(String name) {
        if (name == null) {
            return false;
        }
        switch (name) {
            case "MSET":
            case "MSETNX":
            case "DEL":
            case "UNLINK":
            case "RENAME":
            case "RENAMENX":
            case "COPY":
            case "SMOVE":
            case "LMOVE":
            case "BLMOVE":
            case "RPOPLPUSH":
            case "BRPOPLPUSH":
            case "BITOP":
            case "PFMERGE":
            case "SORT":
                return true;
            default:
                return name.endsWith("STORE");
        }
    }

    /** The {@link KeyHash} of one key parameter as Redis receives it; {@link KeyHash#MANY} when it is unreadable. */
    static long hash(Object key) {
        if (key instanceof CharSequence) {
            return KeyHash.ofUtf8((CharSequence) key);
        }
        if (key instanceof byte[] || key instanceof ByteBuf) {
            byte[] bytes = RedissonArguments.bytes(key);
            return KeyHash.of(bytes, 0, bytes.length);
        }
        return KeyHash.MANY;
    }

    /** Whether the command's parameters are a script's: {@code [script or sha, numkeys, keys..., args...]}. */
    static boolean isScript(String name) {
        return name != null && (name.startsWith("EVAL") || name.startsWith("FCALL"));
    }

    private static long numberOfKeys(Object parameter) {
        if (parameter instanceof Number) {
            return Math.max(0L, ((Number) parameter).longValue());
        }
        if (parameter instanceof CharSequence) {
            try {
                return Math.max(0L, Long.parseLong(parameter.toString()));
            } catch (NumberFormatException e) {
                return 0L;
            }
        }
        return 0L;
    }

    /** The rule of one key parameter as Redis receives it, or -1 for a parameter that is no key name. */
    static int match(Object key, KeyMatcher matcher) {
        if (key instanceof CharSequence) {
            return matcher.match((CharSequence) key);
        }
        if (key instanceof byte[]) {
            return matcher.match((byte[]) key);
        }
        if (key instanceof ByteBuf) {
            ByteBuf buffer = (ByteBuf) key;
            if (buffer.hasArray()) {
                return matcher.match(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), buffer.readableBytes());
            }
            return matcher.match(buffer.nioBuffer()); // a view; the reader index does not move
        }
        return -1;
    }
}
