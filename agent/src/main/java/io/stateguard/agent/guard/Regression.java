package io.stateguard.agent.guard;

import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.KeyPrivacy;

/**
 * A reply older than the key's high-water mark, before anything was done about it: a suspicion until
 * the primary confirms it (a replica's reply) or a replication ID proves it (the primary's own reply,
 * {@link InconsistencyType#PRIMARY_REGRESSION}). Immutable.
 */
public final class Regression {

    private final int ruleIndex;
    private final Rule rule;
    private final int database;
    private final byte[] key;
    private final InconsistencyType type;
    private final long expected;
    private final boolean observedPresent;
    private final long observed;
    /** The mark as stored when the reply was judged (a deleted key's is one above the version deleted). */
    final long mark;
    /** The mark's tag then: the replication ID number it was seen under, and whether it is deleted. */
    final short tag;

    Regression(int ruleIndex, Rule rule, int database, byte[] key, InconsistencyType type, long expected,
            boolean observedPresent, long observed, long mark, short tag) {
        this.mark = mark;
        this.tag = tag;
        this.ruleIndex = ruleIndex;
        this.rule = rule;
        this.database = database;
        this.key = key;
        this.type = type;
        this.expected = expected;
        this.observedPresent = observedPresent;
        this.observed = observed;
    }

    public int ruleIndex() {
        return ruleIndex;
    }

    public Rule rule() {
        return rule;
    }

    public int database() {
        return database;
    }

    /** The key bytes; not copied, do not modify. */
    public byte[] key() {
        return key;
    }

    public InconsistencyType type() {
        return type;
    }

    public long expected() {
        return expected;
    }

    public boolean observedPresent() {
        return observedPresent;
    }

    public long observed() {
        return observed;
    }

    /** The event to report, as a child of the application's OpenTelemetry {@code context} (or {@code null}). */
    public Inconsistency outcome(String operation, GuardAction action, String host, int port, boolean primary,
            Object context) {
        return new Inconsistency(rule.name(), database, key, operation, type, action, expected, observedPresent,
                observed, host, port, primary, context);
    }

    /**
     * The message of the exception a {@code fail} policy throws into the application, the key shown as
     * {@code keys} ({@code stateguard.telemetry.keys}) says: a key kept out of traces and logs stays out of
     * exception messages (which applications log, and which travel in error reports) too.
     */
    public String failureMessage(String operation, KeyPrivacy keys) {
        String keyAttribute = keys.attribute(key, keys == KeyPrivacy.FULL ? Inconsistency.printable(key) : null);
        return "StateGuard: stale state for " + (keyAttribute == null ? "a key" : "key '" + keyAttribute + "'")
                + " (rule " + rule.name() + ", " + operation + "): expected "
                + (type == InconsistencyType.DELETED_VALUE ? "the key deleted" : "version >= " + expected)
                + ", observed " + (observedPresent ? String.valueOf(observed) : "a missing value");
    }
}
