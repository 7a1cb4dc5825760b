package io.stateguard.agent.guard;

import java.util.Collections;
import java.util.List;

/**
 * What the client adapter must do with a command whose reply the {@link RegressionPolicy} judged:
 * complete it as the client would ({@link Action#PASS}), re-read it on the primary
 * ({@link Action#REREAD}), or hold it until the guard has settled it ({@link Action#HOLD}). Immutable.
 */
public final class ReplyVerdict {

    /** The adapter's part. */
    public enum Action {
        /** Complete the command with the reply it has. */
        PASS,
        /**
         * Re-issue the read on the primary and hand the primary's reply to {@link RegressionPolicy#onReread}
         * (or call {@link RegressionPolicy#onRereadFailed}). Unless {@link #detached()}, the command waits
         * for it: it is completed with the primary's reply, or failed with the message {@code onReread}
         * returns. A detached re-read only confirms what is reported: the command completes at once with
         * the reply it has.
         */
        REREAD,
        /**
         * Keep the command open and complete it when {@link RegressionPolicy#settle} calls back: with the
         * reply it has, or failed with the message given.
         */
        HOLD
    }

    static final ReplyVerdict PASS = new ReplyVerdict(Action.PASS, null, false, Collections.<Regression>emptyList(),
            null, -1);

    private final Action action;
    private final TrackedCommand command;
    private final boolean detached;
    final List<Regression> regressions;
    final String host;
    final int port;

    ReplyVerdict(Action action, TrackedCommand command, boolean detached, List<Regression> regressions, String host,
            int port) {
        this.action = action;
        this.command = command;
        this.detached = detached;
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

    /** For {@link Action#REREAD}: whether the command completes at once and the re-read only confirms. */
    public boolean detached() {
        return detached;
    }

    /** The suspected regressions found in the reply (empty when none). */
    public List<Regression> regressions() {
        return regressions;
    }
}
