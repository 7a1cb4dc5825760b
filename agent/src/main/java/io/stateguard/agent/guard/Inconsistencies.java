package io.stateguard.agent.guard;

import io.stateguard.agent.internal.InternalErrors;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Replaces the reporter (by default one that logs at most 10 lines a second). */
    public static void setReporter(InconsistencyReporter newReporter) {
        reporter = newReporter;
    }

    /** Installs several reporters, called in order; a failing one does not stop the others. */
    public static void setReporters(final InconsistencyReporter... reporters) {
        final InconsistencyReporter[] copy = reporters.clone();
        reporter = new InconsistencyReporter() {
            @Override
            public void report(Inconsistency inconsistency) {
                for (InconsistencyReporter each : copy) {
                    try {
                        each.report(inconsistency);
                    } catch (Throwable t) {
                        InternalErrors.record("guard.report", t);
                    }
                }
            }
        };
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

    /**
     * Every count so far, keyed by {@code [rule, type, action]}; read by the
     * {@code stateguard.inconsistencies} metric.
     */
    public static Map<List<String>, Long> snapshot() {
        Map<List<String>, Long> copy = new LinkedHashMap<>();
        for (Map.Entry<String, LongAdder> entry : COUNTS.entrySet()) {
            String[] parts = entry.getKey().split("\\|", 3);
            if (parts.length == 3) {
                copy.put(Arrays.asList(parts), entry.getValue().sum());
            }
        }
        return copy;
    }

    /** Inconsistencies reported for a rule, type and action so far. */
    public static long count(String rule, InconsistencyType type, GuardAction action) {
        LongAdder count = COUNTS.get(rule + "|" + type.label() + "|" + action.label());
        return count == null ? 0 : count.sum();
    }
}
