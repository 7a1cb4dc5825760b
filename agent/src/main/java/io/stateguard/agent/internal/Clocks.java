package io.stateguard.agent.internal;

import java.util.function.LongSupplier;

/** The clocks the agent reads through a seam, so that tests can set the time. */
public final class Clocks {

    /**
     * {@link System#nanoTime()}. An anonymous class rather than a method reference: the agent's code has no
     * lambdas, so the JVM's lambda bootstrap never runs at the application's start on the agent's account.
     */
    public static final LongSupplier SYSTEM_NANOS = new LongSupplier() {
        @Override
        public long getAsLong() {
            return System.nanoTime();
        }
    };

    private Clocks() {
    }
}
