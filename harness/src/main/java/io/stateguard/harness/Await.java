package io.stateguard.harness;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. The harness uses it instead of fixed sleeps: a
 * fixed sleep is either too short on a loaded CI machine or wastes time everywhere else. Public so that
 * tests wait on their own conditions the same way.
 */
public final class Await {

    private static final long FIRST_PAUSE_MILLIS = 5;
    private static final long MAX_PAUSE_MILLIS = 100;

    private Await() {
    }

    /**
     * Polls {@code unmetReason} until it returns {@code null}.
     *
     * @param what         the awaited condition, for the timeout message ("replica-0 to be in sync")
     * @param unmetReason  returns {@code null} when the condition holds, otherwise a short description of the
     *                     state that is still wrong; a {@link RuntimeException} counts as "not yet" (a node may
     *                     still be starting) and is attached as the cause if it was the last observation
     * @param diagnostics  appended to the timeout message: typically the tails of the relevant logs
     * @throws HarnessTimeoutException when {@code timeout} passes first
     */
    public static void until(String what, Duration timeout, Supplier<String> unmetReason, Supplier<String> diagnostics) {
        value(what, timeout, () -> {
            String reason = unmetReason.get();
            return reason == null ? Boolean.TRUE : new Unmet(reason);
        }, diagnostics);
    }

    /** Polls {@code condition} until it is {@code true}; see {@link #until(String, Duration, Supplier, Supplier)}. */
    public static void untilTrue(String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnostics) {
        until(what, timeout, () -> condition.getAsBoolean() ? null : "not yet", diagnostics);
    }

    /**
     * Polls {@code probe} until it returns a non-null value that is not an {@link Unmet}, and returns it.
     */
    @SuppressWarnings("unchecked")
    public static <T> T value(String what, Duration timeout, Supplier<?> probe, Supplier<String> diagnostics) {
        Objects.requireNonNull(what, "what");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        String lastState = null;
        RuntimeException lastFailure = null;
        while (true) {
            try {
                Object result = probe.get();
                if (result != null && !(result instanceof Unmet)) {
                    return (T) result;
                }
                lastState = result == null ? "no value yet" : ((Unmet) result).reason;
                lastFailure = null;
            } catch (HarnessTimeoutException e) {
                throw e; // a nested wait already gave up, with its own diagnostics
            } catch (Abort e) {
                throw e.failure;
            } catch (RuntimeException e) {
                lastState = e.toString();
                lastFailure = e;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new HarnessTimeoutException(message(what, timeout, lastState, diagnostics), lastFailure);
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, remaining / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + what, e);
            }
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
    }

    private static String message(String what, Duration timeout, String lastState, Supplier<String> diagnostics) {
        StringBuilder message = new StringBuilder()
                .append("Timed out after ").append(timeout.toMillis()).append(" ms waiting for ").append(what)
                .append("\nLast observed: ").append(lastState);
        try {
            String details = diagnostics == null ? null : diagnostics.get();
            if (details != null && !details.isEmpty()) {
                message.append('\n').append(details);
            }
        } catch (RuntimeException e) {
            message.append("\n(could not collect diagnostics: ").append(e).append(')');
        }
        return message.toString();
    }

    /**
     * Thrown by a probe to stop polling at once, because the condition can no longer become true (the
     * process exited): {@code failure} is thrown to the caller instead of waiting for the deadline.
     */
    static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final RuntimeException failure;

        Abort(RuntimeException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }

    /** A probe result meaning "not yet", with the reason shown if the wait times out. */
    static final class Unmet {
        final String reason;

        Unmet(String reason) {
            this.reason = reason;
        }
    }
}
