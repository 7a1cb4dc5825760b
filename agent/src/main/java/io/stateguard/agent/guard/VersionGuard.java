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

    private final LongAdder[] unchecked = new LongAdder[VersionFailure.values().length];

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
     * Checks one reply value of a key.
     *
     * @param value the value bytes (for {@code hash:<field>} rules: the version field's value), or
     *     {@code null} for a nil reply.
     * @return the regression, or {@code null} when the reply is not older than the mark (the mark
     *     then moves up to it) or cannot be checked (the reason is counted).
     */
    public Regression check(int ruleIndex, int db, byte[] key, ByteBuffer value) {
        Rule rule = rules.get(ruleIndex);
        if (value == null) {
            long mark = marks.get(db, key, 0, key.length);
            if (mark == HighWaterMarks.NO_MARK && !marks.contains(db, key, 0, key.length)) {
                return null;
            }
            return new Regression(ruleIndex, rule, db, key, InconsistencyType.MISSING, mark, false, 0);
        }
        VersionReading reading = readings.get();
        if (!rule.version().extract(value, reading)) {
            unchecked[reading.failure().ordinal()].increment();
            return null;
        }
        long version = reading.version();
        if (marks.observe(db, key, 0, key.length, version) != Observation.REGRESSED) {
            return null;
        }
        long mark = marks.get(db, key, 0, key.length);
        return new Regression(ruleIndex, rule, db, key, InconsistencyType.VERSION_REGRESSION, mark, true, version);
    }

    /**
     * Judges the primary's answer to the re-read of a regressed key.
     *
     * @return {@code null} when the primary is at or above the mark (the mark moves up), otherwise a
     *     {@link InconsistencyType#PRIMARY_REGRESSION}: the primary lost writes, its value becomes the
     *     truth and the mark is reset to it (a missing value removes the mark).
     */
    public Regression checkPrimary(Regression original, ByteBuffer primaryValue) {
        int db = original.database();
        byte[] key = original.key();
        if (primaryValue == null) {
            if (!marks.contains(db, key, 0, key.length)) {
                return null;
            }
            long mark = marks.get(db, key, 0, key.length);
            marks.remove(db, key, 0, key.length);
            return new Regression(original.ruleIndex(), original.rule(), db, key, InconsistencyType.PRIMARY_REGRESSION,
                    mark, false, 0);
        }
        VersionReading reading = readings.get();
        if (!original.rule().version().extract(primaryValue, reading)) {
            unchecked[reading.failure().ordinal()].increment();
            return null;
        }
        return primaryAt(original.ruleIndex(), db, key, reading.version());
    }

    /**
     * A version read from the primary itself: a regression there cannot be fixed by reading again, so
     * the primary's version becomes the mark and the event is a primary regression.
     */
    public Regression primaryAt(int ruleIndex, int db, byte[] key, long version) {
        if (marks.observe(db, key, 0, key.length, version) != Observation.REGRESSED) {
            return null;
        }
        long mark = marks.get(db, key, 0, key.length);
        marks.reset(db, key, 0, key.length, version);
        return new Regression(ruleIndex, rules.get(ruleIndex), db, key, InconsistencyType.PRIMARY_REGRESSION, mark,
                true, version);
    }

    /**
     * Checks a value the primary itself served (a rule that routes to the primary): a version below the
     * mark cannot be fixed by reading again, so it is judged by {@link #primaryAt}.
     *
     * @return the regression, or {@code null} (also when the value has no readable version, counted).
     */
    public Regression checkServedByPrimary(int ruleIndex, int db, byte[] key, ByteBuffer value) {
        VersionReading reading = readings.get();
        if (!rules.get(ruleIndex).version().extract(value, reading)) {
            unchecked[reading.failure().ordinal()].increment();
            return null;
        }
        return primaryAt(ruleIndex, db, key, reading.version());
    }

    /**
     * Records the version of a value Redis applied for the application (read-your-writes), or returned
     * to it from the primary as a write's previous value ({@code SET … GET}, {@code GETSET}).
     *
     * @param written {@code true} for the value written: it is the newest state by definition, so the
     *     mark becomes its version even when lower (an application that starts a key's versions again
     *     must not meet a false alarm); {@code false} for a previous value, which only raises the mark.
     */
    public void observeApplied(int ruleIndex, int db, byte[] key, ByteBuffer value, boolean written) {
        VersionReading reading = readings.get();
        if (value != null && rules.get(ruleIndex).version().extract(value, reading)) {
            if (written) {
                marks.reset(db, key, 0, key.length, reading.version());
            } else {
                marks.observe(db, key, 0, key.length, reading.version());
            }
        } else if (value != null) {
            unchecked[reading.failure().ordinal()].increment();
        }
    }

    /** The application deleted the key: a later nil is not a regression. */
    public void forget(int db, byte[] key) {
        marks.remove(db, key, 0, key.length);
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
