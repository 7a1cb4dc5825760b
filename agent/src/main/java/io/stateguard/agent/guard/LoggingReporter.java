package io.stateguard.agent.guard;

import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.Clocks;
import io.stateguard.agent.keys.KeyPrivacy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Logs one structured line per inconsistency, at most {@code linesPerSecond} a second; lines over
 * the limit are counted and their number is logged with the next line that gets through.
 */
public final class LoggingReporter implements InconsistencyReporter {

    private final int linesPerSecond;
    private final KeyPrivacy keys;
    private final LongSupplier nanoClock;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public LoggingReporter(int linesPerSecond) {
        this(linesPerSecond, KeyPrivacy.FULL);
    }

    /**
     * @param keys how the key appears in the line: the same setting as for telemetry
     *     ({@code stateguard.telemetry.keys}), so a key kept out of traces stays out of logs too
     */
    public LoggingReporter(int linesPerSecond, KeyPrivacy keys) {
        this(linesPerSecond, keys, Clocks.SYSTEM_NANOS);
    }

    /** With the clock that says which second a line falls in ({@link System#nanoTime()} normally); for tests. */
    LoggingReporter(int linesPerSecond, KeyPrivacy keys, LongSupplier nanoClock) {
        this.linesPerSecond = linesPerSecond;
        this.keys = keys;
        this.nanoClock = nanoClock;
    }

    @Override
    public void report(Inconsistency inconsistency) {
        long second = nanoClock.getAsLong() / 1_000_000_000L;
        long current = window.get();
        if (current != second && window.compareAndSet(current, second)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > linesPerSecond) {
            suppressed.incrementAndGet();
            return;
        }
        long dropped = suppressed.getAndSet(0);
        AgentLog.warn("inconsistency " + inconsistency.describe(keys)
                + (dropped > 0 ? " (" + dropped + " more not logged: over " + linesPerSecond + " lines/s)" : ""));
    }
}
