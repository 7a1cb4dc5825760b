package io.stateguard.agent.guard;

import io.stateguard.agent.config.Rule;
import io.stateguard.agent.keys.KeyPrivacy;
import io.stateguard.agent.versions.HighWaterMarks;
import io.stateguard.agent.versions.Observation;
import io.stateguard.agent.versions.VersionFailure;
import io.stateguard.agent.versions.VersionReading;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The version guard's decisions, independent of any Redis client: per tracked key (database index
 * and key bytes) the highest version seen, from replies and from the application's own writes, and
 * whether a reply goes back in time.
 *
 * <p>Thread-safe and non-blocking: called on Netty event-loop threads.
 */
public final class VersionGuard {

    private final List<Rule> rules;

    private final HighWaterMarks marks;

    /** {@code stateguard.telemetry.keys}: how a key may appear in what the guard produces. */
    private final KeyPrivacy keyPrivacy;

    /** A mark's tag bit: the application deleted the key (the mark is one above the version deleted). */
    static final short DELETED = (short) 0x8000;

    /** A mark's tag bits: its {@link ReplicationIds#sighting}. */
    static final int SIGHTING_BITS = 0x7FFF;

    private final LongAdder[] unchecked = new LongAdder[VersionFailure.values().length];

    private final LongAdder resetAbsent = new LongAdder();

    private final LongAdder resetOlder = new LongAdder();

    private final ThreadLocal<VersionReading> readings = new ThreadLocal<VersionReading>() {
        @Override
        protected VersionReading initialValue() {
            return new VersionReading();
        }
    };

    public VersionGuard(List<Rule> rules, int maxTrackedKeys, KeyPrivacy keyPrivacy) {
        this.rules = Collections.unmodifiableList(new ArrayList<>(rules));
        this.keyPrivacy = keyPrivacy;
        this.marks = new HighWaterMarks(maxTrackedKeys);
        for (int i = 0; i < unchecked.length; i++) {
            unchecked[i] = new LongAdder();
        }
    }

    public List<Rule> rules() {
        return rules;
    }

    public HighWaterMarks marks() {
        return marks;
    }

    /** How a key may appear in logs, telemetry and exception messages ({@code stateguard.telemetry.keys}). */
    public KeyPrivacy keyPrivacy() {
        return keyPrivacy;
    }

    /** Whether rule {@code ruleIndex} checks versions. */
    public boolean checks(int ruleIndex) {
        return ruleIndex >= 0 && rules.get(ruleIndex).checksVersions();
    }

    /**
     * Checks one reply value of a key that may not be the primary's (a replica's, or the application's
     * routing): a suspicion to be confirmed on the primary, never an event by itself.
     *
     * @param value the value bytes (for {@code hash:<field>} rules: the version field's value), or
     *     {@code null} for a nil reply.
     * @param sighting the {@link ReplicationIds#sighting} of the topology now, kept with the mark when the
     *     reply raises it.
     * @param floor the key's mark when the application issued the read ({@link HighWaterMarks#NO_MARK}
     *     for none): only a reply older than what the application had been shown before it asked is
     *     suspect, not one older than a mark a concurrent command raised meanwhile.
     * @return the suspected regression ({@link InconsistencyType#VERSION_REGRESSION}, {@link
     *     InconsistencyType#MISSING}, or {@link InconsistencyType#DELETED_VALUE} for a value no newer than
     *     the application's delete), or {@code null} when the reply is not older than the floor (the mark
     *     then moves up to it) or cannot be checked (the reason is counted).
     */
    public Regression check(int ruleIndex, int db, byte[] key, ByteBuffer value, short sighting, long floor) {
        Rule rule = rules.get(ruleIndex);
        if (value == null) {
            if (!nilIsSuspect(db, key, floor)) {
                return null;
            }
            long mark = marks.get(db, key, 0, key.length);
            return new Regression(ruleIndex, rule, db, key, InconsistencyType.MISSING, Math.min(floor, mark), false, 0,
                    mark, marks.tag(db, key, 0, key.length));
        }
        // A deleted key's mark is one above the version deleted (unknown: the largest version), tagged
        // deleted: an equal or newer value is a new write and clears the tag, an older one is suspect.
        if (!valueIsSuspect(rule, db, key, value, sighting, floor)) {
            return null;
        }
        return suspicion(ruleIndex, rule, db, key, readings.get().version(), floor);
    }

    /** Whether a nil is suspect: the key had a mark when the read was issued, and is not deleted. */
    private boolean nilIsSuspect(int db, byte[] key, long floor) {
        return floor != HighWaterMarks.NO_MARK && marks.contains(db, key, 0, key.length)
                && !isDeleted(marks.tag(db, key, 0, key.length));
    }

    /**
     * Reads a value's version (left in {@link #readings}) and raises the mark to it; whether it is below
     * {@code floor}, the mark when the read was issued. A value without a readable version is counted and
     * not suspect.
     */
    private boolean valueIsSuspect(Rule rule, int db, byte[] key, ByteBuffer value, short sighting, long floor) {
        VersionReading reading = readings.get();
        if (!rule.version().extract(value, reading)) {
            unchecked[reading.failure().ordinal()].increment();
            return false;
        }
        long version = reading.version();
        return marks.observe(db, key, 0, key.length, version, sighting) == Observation.REGRESSED
                && floor != HighWaterMarks.NO_MARK && version < floor;
    }

    /** {@link #check(int, int, byte[], ByteBuffer, short, long)} of a read issued with the current mark as its floor. */
    public Regression check(int ruleIndex, int db, byte[] key, ByteBuffer value, short sighting) {
        return check(ruleIndex, db, key, value, sighting, marks.get(db, key, 0, key.length));
    }

    private Regression suspicion(int ruleIndex, Rule rule, int db, byte[] key, long version, long floor) {
        long mark = marks.get(db, key, 0, key.length);
        short tag = marks.tag(db, key, 0, key.length);
        if (isDeleted(tag)) {
            return new Regression(ruleIndex, rule, db, key, InconsistencyType.DELETED_VALUE,
                    deletedVersion(Math.min(floor, mark)), true, version, mark, tag);
        }
        return new Regression(ruleIndex, rule, db, key, InconsistencyType.VERSION_REGRESSION, Math.min(floor, mark),
                true, version, mark, tag);
    }

    /**
     * Checks a value the primary itself served (a rule that routes to the primary, or the guard's
     * re-read): a value at or above the mark raises it, a nil of a deleted key is what the application
     * expects. A value below the mark, or a nil of a key with a mark, is the present all the same: the
     * mark follows it at once (lowered to its version; for a nil, the key is marked deleted, no newer than
     * the version it had), and it is returned as a candidate {@link InconsistencyType#PRIMARY_REGRESSION},
     * which only {@link #settlePrimary} with the primary's replication ID can prove to be a lost write.
     *
     * @return the candidate, or {@code null} (also when the value has no readable version, counted).
     */
    public Regression checkPrimary(int ruleIndex, int db, byte[] key, ByteBuffer value, short sighting) {
        return checkPrimary(ruleIndex, db, key, value, sighting, marks.get(db, key, 0, key.length));
    }

    /**
     * {@link #checkPrimary(int, int, byte[], ByteBuffer, short)} of a read issued when the key's mark was
     * {@code floor}: a value at or above the floor was the present when the read was issued, whatever a
     * concurrent write raised the mark to meanwhile, and leaves the mark alone.
     */
    public Regression checkPrimary(int ruleIndex, int db, byte[] key, ByteBuffer value, short sighting, long floor) {
        Rule rule = rules.get(ruleIndex);
        if (value == null) {
            if (!nilIsSuspect(db, key, floor)) {
                return null;
            }
            long mark = marks.get(db, key, 0, key.length);
            short tag = marks.tag(db, key, 0, key.length);
            marks.reset(db, key, 0, key.length, deletedMark(mark), (short) (DELETED | sighting));
            return new Regression(ruleIndex, rule, db, key, InconsistencyType.PRIMARY_REGRESSION, mark, false, 0, mark,
                    tag);
        }
        if (!valueIsSuspect(rule, db, key, value, sighting, floor)) {
            return null;
        }
        long version = readings.get().version();
        long mark = marks.get(db, key, 0, key.length);
        short tag = marks.tag(db, key, 0, key.length);
        marks.reset(db, key, 0, key.length, version, sighting);
        return new Regression(ruleIndex, rule, db, key, InconsistencyType.PRIMARY_REGRESSION,
                isDeleted(tag) ? deletedVersion(mark) : mark, true, version, mark, tag);
    }

    /**
     * Whether the primary's answer, read after the suspected reply, shows that reply was stale, and not the
     * present overtaken by a later write (the primary may have changed between the two reads):
     * <ul>
     * <li>an older version: the primary has at least the version the application had been shown
     *     (versions only grow, so the reply's version was history before the read);</li>
     * <li>a nil: the primary still has exactly the version the application had been shown (the key was
     *     there all along); a newer version may have been written after the key expired;</li>
     * <li>a value of a deleted key: the primary has no value, or one newer than the one deleted (written
     *     again after the delete: the reply is from before it).</li>
     * </ul>
     * Anything else (the primary agrees with the reply, or is below what the application was shown: the
     * key expired, was deleted or rewritten lower by someone else) is the present, not a regression.
     *
     * @param primaryValue the primary's value ({@code null} for nil)
     */
    public boolean replicaWasBehind(Regression suspicion, ByteBuffer primaryValue) {
        long primaryVersion = 0;
        if (primaryValue != null) {
            VersionReading reading = readings.get();
            if (!suspicion.rule().version().extract(primaryValue.duplicate(), reading)) {
                return false;
            }
            primaryVersion = reading.version();
        }
        switch (suspicion.type()) {
            case DELETED_VALUE:
                return primaryValue == null || primaryVersion > suspicion.expected();
            case MISSING:
                return primaryValue != null && primaryVersion == suspicion.expected();
            default:
                return primaryValue != null && primaryVersion >= suspicion.expected();
        }
    }

    /**
     * Settles a candidate of {@link #checkPrimary} with what a fresh read of the primary's replication ID
     * proves (the mark already follows the primary).
     *
     * @return {@code true} when writes were lost: the primary's replication ID changed after the mark was
     *     set (a failover or a restart without persistence); {@code false} when nothing proves it, which
     *     is counted as a reset ({@code absent_on_primary} or {@code older_on_primary}).
     */
    public boolean settlePrimary(Regression candidate, ReplicationIds.Proof proof) {
        boolean proven = proof.changedSince(sighting(candidate.tag));
        if (!proven) {
            (candidate.observedPresent() ? resetOlder : resetAbsent).increment();
        }
        return proven;
    }

    /**
     * Records the version of a value Redis applied for the application (read-your-writes), or returned
     * to it from the primary as a write's previous value ({@code SET … GET}, {@code GETSET}): the mark
     * becomes the higher of the two, so it is the highest applied version whatever order the replies
     * arrive in. An application that starts a key's versions again (writes a lower one) meets no false
     * alarm: its replica reads of the lower version are confirmed on the primary, which agrees, and the
     * mark follows it there.
     *
     * @param written {@code true} for the value written, which also ends a deletion: the key has a value
     *     again, whatever version; {@code false} for a previous value.
     */
    public void observeApplied(int ruleIndex, int db, byte[] key, ByteBuffer value, boolean written,
            short sighting) {
        VersionReading reading = readings.get();
        if (value != null && rules.get(ruleIndex).version().extract(value, reading)) {
            if (written && isDeleted(marks.tag(db, key, 0, key.length))) {
                marks.reset(db, key, 0, key.length, reading.version(), sighting);
            } else {
                marks.observe(db, key, 0, key.length, reading.version(), sighting);
            }
        } else if (value != null) {
            unchecked[reading.failure().ordinal()].increment();
        }
    }

    /**
     * The application deleted the key: from now on a nil is what it expects, and a value no newer than
     * the one deleted (any value, when the version deleted is not known) is a suspected
     * {@link InconsistencyType#DELETED_VALUE}, until a newer value is seen or written.
     */
    public void deleted(int db, byte[] key, short sighting) {
        long mark = marks.contains(db, key, 0, key.length) ? marks.get(db, key, 0, key.length) : HighWaterMarks.NO_MARK;
        short tag = marks.tag(db, key, 0, key.length);
        if (isDeleted(tag)) {
            return; // deleted again: the version deleted stays the one before
        }
        marks.reset(db, key, 0, key.length, deletedMark(mark), (short) (DELETED | sighting));
    }

    /** The application flushed databases ({@code FLUSHDB}, {@code FLUSHALL}): every mark is dropped. */
    public void flushed() {
        marks.clear();
    }

    /** How many marks followed the primary without proof of lost writes, by cause. */
    public long marksReset(boolean absent) {
        return (absent ? resetAbsent : resetOlder).sum();
    }

    static boolean isDeleted(short tag) {
        return (tag & DELETED) != 0;
    }

    static short sighting(short tag) {
        return (short) (tag & SIGHTING_BITS);
    }

    /** The mark of a key deleted at version {@code mark}: one above it (the largest version when not known). */
    private static long deletedMark(long mark) {
        return mark == HighWaterMarks.NO_MARK || mark == Long.MAX_VALUE ? Long.MAX_VALUE : mark + 1;
    }

    /** The version a deleted key had, from its mark ({@link Long#MAX_VALUE} when it was not known). */
    private static long deletedVersion(long mark) {
        return mark == Long.MAX_VALUE ? Long.MAX_VALUE : mark - 1;
    }

    /**
     * Counts a reply the client adapter did not hand over because it cannot be checked (for example a
     * value over the size cap, rejected before it was copied).
     */
    public void skipped(VersionFailure reason) {
        unchecked[reason.ordinal()].increment();
    }

    /** How many replies could not be checked, by reason. */
    public long unchecked(VersionFailure reason) {
        return unchecked[reason.ordinal()].sum();
    }

}
