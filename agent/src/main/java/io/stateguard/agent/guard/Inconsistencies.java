package io.stateguard.agent.guard;

import io.stateguard.agent.internal.InternalErrors;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one reporting path of every inconsistency and its outcome: counts it (by rule, type and
 * action) and hands it to the installed {@link InconsistencyReporter}.
 */
public final class Inconsistencies {

    private static volatile InconsistencyReporter reporter = new LoggingReporter(10);

    private static final ConcurrentMap<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private Inconsistencies() {
    }

    public static void setReporter(InconsistencyReporter newReporter) {
        reporter = newReporter;
    }

    public static void report(Inconsistency inconsistency) {
        try {
            String key = inconsistency.rule() + "|" + inconsistency.type().label() + "|" + inconsistency.action().label();
            InternalErrors.counter(COUNTS, key).increment();
            reporter.report(inconsistency);
        } catch (Throwable t) {
            InternalErrors.record("guard.report", t);
        }
    }

    /** Inconsistencies reported for a rule, type and action so far. */
    public static long count(String rule, InconsistencyType type, GuardAction action) {
        LongAdder count = COUNTS.get(rule + "|" + type.label() + "|" + action.label());
        return count == null ? 0 : count.sum();
    }
}
