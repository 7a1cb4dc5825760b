package io.stateguard.agent.guard;

/**
 * What a Redis command does to the state keys the guard tracks, by command name: the reads whose
 * replies are checked, the writes that raise a key's mark and the deletes that clear it. Commands
 * of no kind are not looked at.
 */
public enum CommandKind {

    /** {@code GET}, {@code GETEX}: the value of one key. */
    GET,
    /** {@code MGET}: the values of several keys. */
    MGET,
    /** {@code HGET}: one field of a hash. */
    HGET,
    /** {@code HMGET}: several fields of a hash. */
    HMGET,
    /** {@code HGETALL}: every field of a hash. */
    HGETALL,
    /**
     * {@code SET}, {@code SETEX}, {@code PSETEX}: writes one key's value; {@code SET}'s options after the
     * value may make it conditional ({@code NX}, {@code XX}) or return the previous value ({@code GET}).
     */
    SET,
    /** {@code SETNX}: writes one key's value if the key does not exist; answers whether it did. */
    SETNX,
    /** {@code GETSET}: writes one key's value and returns the previous one. */
    GETSET,
    /** {@code MSET}: writes several keys' values. */
    MSET,
    /** {@code MSETNX}: writes several keys' values if none of them exists (all or nothing); answers whether it did. */
    MSETNX,
    /** {@code HSET}, {@code HMSET}: writes fields of a hash. */
    HSET,
    /** {@code HSETNX}: writes one field of a hash if the field does not exist; answers whether it did. */
    HSETNX,
    /** {@code DEL}, {@code UNLINK}, {@code GETDEL}: removes keys. */
    DELETE,
    /**
     * {@code EXPIRE}, {@code PEXPIRE}: sets a key's time to live; one that is not positive deletes the key
     * at once (when the reply says it was applied).
     */
    EXPIRE,
    /** {@code FLUSHDB}, {@code FLUSHALL}: removes every key of a database, or of all. */
    FLUSH;

    /** The kind of the command named {@code name} (upper case, as sent), or {@code null}. */
    public static CommandKind of(String name) {
        switch (name) {
            case "GET":
            case "GETEX":
                return GET;
            case "MGET":
                return MGET;
            case "HGET":
                return HGET;
            case "HMGET":
                return HMGET;
            case "HGETALL":
                return HGETALL;
            case "SET":
            case "SETEX":
            case "PSETEX":
                return SET;
            case "SETNX":
                return SETNX;
            case "GETSET":
                return GETSET;
            case "MSET":
                return MSET;
            case "MSETNX":
                return MSETNX;
            case "HSET":
            case "HMSET":
                return HSET;
            case "HSETNX":
                return HSETNX;
            case "DEL":
            case "UNLINK":
            case "GETDEL":
                return DELETE;
            case "EXPIRE":
            case "PEXPIRE":
                return EXPIRE;
            case "FLUSHDB":
            case "FLUSHALL":
                return FLUSH;
            default:
                return null;
        }
    }

    /** Whether the reply carries values of keys, to be checked. */
    public boolean isRead() {
        return this == GET || this == MGET || this == HGET || this == HMGET || this == HGETALL;
    }

    /** Whether the command writes values of keys, whose marks its reply may raise. */
    public boolean isWrite() {
        return this == SET || this == SETNX || this == GETSET || this == MSET || this == MSETNX || this == HSET
                || this == HSETNX;
    }

    /** Whether the reply says whether Redis applied the command, which decides what it does to the marks. */
    public boolean isJudgedByReply() {
        return isWrite() || this == EXPIRE;
    }

    /** Whether the first key alone decides which rule the command belongs to (one key per command). */
    boolean firstKeyDecides() {
        return this != MSET && this != MSETNX && this != DELETE && this != MGET;
    }
}
