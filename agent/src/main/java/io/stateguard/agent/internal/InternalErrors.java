package io.stateguard.agent.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the agent's internal errors by cause and logs each cause once.
 *
 * <p>Every place where agent code could fail on an application thread catches the failure, calls
 * {@link #record(String, Throwable)} and lets the command proceed exactly as the application
 * configured it (fail open). The counters are what the telemetry layer exports as
 * {@code stateguard.errors}.
 */
public final class InternalErrors {

    private static final ConcurrentMap<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private InternalErrors() {
    }

    /**
     * Records one internal error.
     *
     * @param cause a short, stable, low-cardinality name of what failed (for example
     *     {@code "routing.decide"}); it becomes a metric attribute.
     * @param error what was thrown, or {@code null}.
     */
    public static void record(String cause, Throwable error) {
        try {
            counter(COUNTS, cause).increment();
            AgentLog.once(AgentLog.Level.WARN, "error:" + cause,
                    "internal error in " + cause + "; the command keeps the application's own routing"
                            + " (logged once per cause, counted)", error);
        } catch (Throwable ignored) {
            // Never let error reporting itself break the application.
        }
    }

    /** The counter for {@code key} in {@code counters}, created on first use. */
    public static LongAdder counter(ConcurrentMap<String, LongAdder> counters, String key) {
        LongAdder counter = counters.get(key);
        if (counter == null) {
            LongAdder fresh = new LongAdder();
            counter = counters.putIfAbsent(key, fresh);
            if (counter == null) {
                counter = fresh;
            }
        }
        return counter;
    }

    /** Number of errors recorded for {@code cause}. */
    public static long count(String cause) {
        LongAdder adder = COUNTS.get(cause);
        return adder == null ? 0 : adder.sum();
    }

    /** A snapshot of all counters, by cause. */
    public static Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        for (Map.Entry<String, LongAdder> entry : COUNTS.entrySet()) {
            copy.put(entry.getKey(), entry.getValue().sum());
        }
        return Collections.unmodifiableMap(copy);
    }
}
