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
    /** {@code SET}, {@code SETEX}, {@code PSETEX}, {@code GETSET}: writes one key's value. */
    SET,
    /** {@code MSET}: writes several keys' values. */
    MSET,
    /** {@code HSET}, {@code HMSET}: writes fields of a hash. */
    HSET,
    /** {@code DEL}, {@code UNLINK}, {@code GETDEL}: removes keys. */
    DELETE;

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
            case "GETSET":
                return SET;
            case "MSET":
                return MSET;
            case "HSET":
            case "HMSET":
                return HSET;
            case "DEL":
            case "UNLINK":
            case "GETDEL":
                return DELETE;
            default:
                return null;
        }
    }

    /** Whether the reply carries values of keys, to be checked. */
    public boolean isRead() {
        return this == GET || this == MGET || this == HGET || this == HMGET || this == HGETALL;
    }

    /** Whether the first key alone decides which rule the command belongs to (one key per command). */
    boolean firstKeyDecides() {
        return this != MSET && this != DELETE && this != MGET;
    }
}
