package io.stateguard.agent.guard;

import java.nio.ByteBuffer;

/**
 * What the reply of a tracked write says, as the client adapter read it: for a write that answers
 * whether it was applied ({@code OK} or nil, {@code 1} or {@code 0}, {@code true} or {@code false}),
 * {@link #APPLIED} or {@link #NOT_APPLIED}; for a write that returns the key's previous value
 * ({@code SET … GET}, {@code GETSET}), {@link #previous} with that value; {@link #UNREADABLE} when the
 * reply said neither. The {@link RegressionPolicy} decides from it whether the write was applied.
 * Immutable.
 */
public final class WriteReply {

    /** The reply says the write was applied ({@code OK}, a non-zero count, {@code true}). */
    public static final WriteReply APPLIED = new WriteReply(true, false, null);

    /** The reply says the write was not applied (nil, {@code 0}, {@code false}). */
    public static final WriteReply NOT_APPLIED = new WriteReply(false, false, null);

    /** A reply of an unexpected shape: a conditional write is then taken as not applied. */
    public static final WriteReply UNREADABLE = new WriteReply(false, false, null);

    private static final WriteReply PREVIOUS_NIL = new WriteReply(false, true, null);

    final boolean acknowledged;
    final boolean previousRead;
    final ByteBuffer previous;

    private WriteReply(boolean acknowledged, boolean previousRead, ByteBuffer previous) {
        this.acknowledged = acknowledged;
        this.previousRead = previousRead;
        this.previous = previous;
    }

    /**
     * The previous value a write returned ({@code SET … GET}, {@code GETSET}): the bytes Redis sent,
     * {@code null} for nil (the key did not exist).
     */
    public static WriteReply previous(ByteBuffer value) {
        return value == null ? PREVIOUS_NIL : new WriteReply(false, true, value);
    }

    /**
     * What a write's reply, as a client decoded it, says: a {@code Boolean} ({@code SETNX}, {@code MSETNX},
     * {@code HSETNX}, {@code SET … NX} decoded as a flag), a count ({@code Long} or {@code Integer}: non-zero is
     * applied), {@code "OK"}; {@link #UNREADABLE} for any other value. A {@code null} (nil, or a reply the client
     * decodes to nothing) says different things per client: the adapter decides.
     */
    public static WriteReply ofDecoded(Object reply) {
        if (reply instanceof Boolean) {
            return (Boolean) reply ? APPLIED : NOT_APPLIED;
        }
        if (reply instanceof Long || reply instanceof Integer) {
            return ((Number) reply).longValue() != 0 ? APPLIED : NOT_APPLIED;
        }
        if (reply instanceof String) {
            return "OK".equalsIgnoreCase((String) reply) ? APPLIED : UNREADABLE;
        }
        return UNREADABLE;
    }

    /** Whether the reply says the write was applied ({@link #APPLIED}). */
    public boolean acknowledged() {
        return acknowledged;
    }

    /** For {@link #previous(ByteBuffer)}: the previous value, {@code null} for nil or for other replies. */
    public ByteBuffer previous() {
        return previous == null ? null : previous.duplicate();
    }

    /** Whether this is a previous value ({@link #previous(ByteBuffer)}), nil included. */
    public boolean isPrevious() {
        return previousRead;
    }
}
