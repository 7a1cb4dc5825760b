package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;

/**
 * Receives what advice caught: the advice gave up and the intercepted method ran as the application
 * configured it. Every advice method catches {@link Throwable} and calls this.
 */
public final class AdviceErrors {

    private AdviceErrors() {
    }

    public static void onSuppressed(Throwable error) {
        InternalErrors.record("advice", error);
    }
}
