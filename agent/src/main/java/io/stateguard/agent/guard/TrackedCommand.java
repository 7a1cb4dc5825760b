package io.stateguard.agent.guard;

/**
 * One command the guard follows from dispatch to reply: which keys of versioned rules it reads or
 * writes, in which database, and (for writes) the values written, when Redis applies them and whether
 * the reply returns the previous value. Created by the
 * {@link CommandClassifier} on the application's thread, read on the thread that completes the
 * command. Immutable except for the telemetry context, which is set once before publication.
 */
public final class TrackedCommand {

    final CommandKind kind;
    final String operation;
    final Object connection;
    final int database;
    final int[] rules;
    final byte[][] keys;
    final byte[][] written;
    /** For writes: when Redis applies them. */
    final WriteCondition condition;
    /** For writes: whether the reply is the key's previous value ({@code SET … GET}, {@code GETSET}). */
    final boolean returnsPrevious;
    /**
     * For reads: per key, its mark when the application issued the command ({@link
     * io.stateguard.agent.versions.HighWaterMarks#NO_MARK} for none): what the application had been shown
     * before it asked. A reply is a regression only if it is older than that; marks raised while the read
     * was in flight (a concurrent write or read) do not count against it.
     */
    final long[] floors;
    /** The application's OpenTelemetry context at dispatch (reads only), parent of a span reported later. */
    Object context;

    TrackedCommand(CommandKind kind, String operation, Object connection, int database, int[] rules, byte[][] keys,
            byte[][] written) {
        this(kind, operation, connection, database, rules, keys, written, WriteCondition.ALWAYS, false, null);
    }

    TrackedCommand(CommandKind kind, String operation, Object connection, int database, int[] rules, byte[][] keys,
            byte[][] written, WriteCondition condition, boolean returnsPrevious, long[] floors) {
        this.floors = floors;
        this.kind = kind;
        this.operation = operation;
        this.connection = connection;
        this.database = database;
        this.rules = rules;
        this.keys = keys;
        this.written = written;
        this.condition = condition;
        this.returnsPrevious = returnsPrevious;
    }

    public CommandKind kind() {
        return kind;
    }

    /** For writes: when Redis applies them ({@link WriteCondition#ALWAYS} for other commands). */
    public WriteCondition condition() {
        return condition;
    }

    /**
     * For writes: whether the reply is the key's previous value ({@code SET … GET}, {@code GETSET}), to
     * be read as a value, rather than an answer saying whether the write was applied.
     */
    public boolean returnsPrevious() {
        return returnsPrevious;
    }

    /** The command's name as sent ({@code GET}, {@code HMGET}, ...). */
    public String operation() {
        return operation;
    }

    /**
     * The client's connection object the command was written through, which can re-issue it on the
     * primary; {@code null} when there is none (then a regression is reported, never re-read).
     */
    public Object connection() {
        return connection;
    }

    public int database() {
        return database;
    }

    /** How many keys are tracked. */
    public int keyCount() {
        return keys.length;
    }

    /** Tracked key {@code index}; not copied, do not modify. */
    public byte[] key(int index) {
        return keys[index];
    }

    /** The rule index of tracked key {@code index}. */
    public int rule(int index) {
        return rules[index];
    }

    /** Attaches the application's telemetry context, captured on its thread at dispatch. */
    public void context(Object applicationContext) {
        this.context = applicationContext;
    }

    public Object context() {
        return context;
    }
}
