package io.stateguard.agent.guard;

import java.util.Collections;
import java.util.List;

/**
 * What the client adapter must do with a command whose reply the {@link RegressionPolicy} judged:
 * complete it as the client would ({@link Action#PASS}, also after a regression was only reported),
 * fail it with {@link #failureMessage()}, or re-read it on the primary and complete it with that
 * answer. Immutable.
 */
public final class ReplyVerdict {

    /** The adapter's part. */
    public enum Action {
        /** Complete the command with the reply it has. */
        PASS,
        /** Complete the command exceptionally with a stale-state exception carrying {@link #failureMessage()}. */
        FAIL,
        /**
         * Re-issue the read on the primary, complete the command with the primary's reply, and hand
         * that reply to {@link RegressionPolicy#onReread} (or call {@link RegressionPolicy#onRereadFailed}).
         */
        REREAD
    }

    static final ReplyVerdict PASS = new ReplyVerdict(Action.PASS, null, null, Collections.<Regression>emptyList(),
            null, -1);

    private final Action action;
    private final TrackedCommand command;
    private final String failureMessage;
    final List<Regression> regressions;
    final String host;
    final int port;

    ReplyVerdict(Action action, TrackedCommand command, String failureMessage, List<Regression> regressions,
            String host, int port) {
        this.action = action;
        this.command = command;
        this.failureMessage = failureMessage;
        this.regressions = regressions;
        this.host = host;
        this.port = port;
    }

    public Action action() {
        return action;
    }

    /** The command judged; {@code null} for {@link Action#PASS} without a regression. */
    public TrackedCommand command() {
        return command;
    }

    /** For {@link Action#FAIL}: the exception message (the key shown as {@code stateguard.telemetry.keys} says). */
    public String failureMessage() {
        return failureMessage;
    }

    /** The regressions found in the reply (empty when none). */
    public List<Regression> regressions() {
        return regressions;
    }
}
