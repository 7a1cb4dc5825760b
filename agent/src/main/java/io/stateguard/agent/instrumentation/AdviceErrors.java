package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.InternalErrors;

/**
 * Receives what advice suppressed ({@code suppress = Throwable.class}): the advice gave up and the
 * intercepted method ran as the application configured it. Called from inlined advice code.
 */
public final class AdviceErrors {

    private AdviceErrors() {
    }

    public static void onSuppressed(Throwable error) {
        InternalErrors.record("advice", error);
    }
}
