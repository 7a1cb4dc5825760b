package io.stateguard.agent.guard;

import io.stateguard.agent.config.OnRegression;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a reply meets the marks and the rule's {@code on-regression} policy is applied: a write's
 * reply raises the marks of the keys written when it says Redis applied the write, a delete clears
 * them, a read's values are compared by the {@link VersionGuard}, and a regression is failed, reported
 * or re-read as the rule says. Every event goes through {@link Inconsistencies}. Knows no Redis
 * client: values are bytes and the client adapter carries out the {@link ReplyVerdict}. Thread-safe;
 * called on the client's I/O threads.
 */
public final class RegressionPolicy {

    /**
     * A value of a multi-value reply that cannot be checked (over the size cap, rejected by the adapter
     * before it was copied): its key is skipped, unlike a {@code null} entry, which is nil. Compared by
     * identity.
     */
    public static final ByteBuffer UNREADABLE = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final VersionGuard guard;

    public RegressionPolicy(VersionGuard guard) {
        this.guard = guard;
    }

    /**
     * Judges the reply of a tracked command.
     *
     * @param values for reads, per tracked key its value (for hash rules the version field's value),
     *     {@code null} entries for nil, {@link #UNREADABLE} entries for values that cannot be checked;
     *     {@code null} when the reply could not be read (nothing is checked). Ignored for writes and deletes, whose marks follow their arguments; a write judged
     *     here is one whose reply is not known ({@link WriteReply#UNREADABLE}): prefer
     *     {@link #onWriteReply}.
     * @param nodes finds the address of the node that answered, asked only for a regression.
     * @param node the client's object for the connection that answered (passed to {@code nodes}).
     */
    public ReplyVerdict onReply(TrackedCommand command, ByteBuffer[] values, NodeAddresses nodes, Object node) {
        if (command.kind == CommandKind.DELETE) {
            onDeleteQueued(command);
            return ReplyVerdict.PASS;
        }
        if (command.kind.isWrite()) {
            onWriteReply(command, WriteReply.UNREADABLE);
            return ReplyVerdict.PASS;
        }
        if (values == null) {
            return ReplyVerdict.PASS;
        }
        List<Regression> regressions = null;
        for (int i = 0; i < command.keys.length; i++) {
            if (values[i] == UNREADABLE) {
                continue;
            }
            Rule rule = guard.rules().get(command.rules[i]);
            Regression regression;
            if (rule.routing() == RoutingMode.PRIMARY && values[i] != null) {
                // Served by the primary already: re-reading cannot help.
                regression = guard.checkServedByPrimary(command.rules[i], command.database, command.keys[i],
                        values[i]);
            } else {
                regression = guard.check(command.rules[i], command.database, command.keys[i], values[i]);
            }
            if (regression != null) {
                if (regressions == null) {
                    regressions = new ArrayList<>(2);
                }
                regressions.add(regression);
            }
        }
        if (regressions == null) {
            return ReplyVerdict.PASS;
        }
        InetSocketAddress address = nodes == null ? null : nodes.addressOf(node);
        String host = address == null ? null : address.getHostString();
        int port = address == null ? -1 : address.getPort();
        Regression first = regressions.get(0);
        boolean primary = first.rule().routing() == RoutingMode.PRIMARY;
        OnRegression policy = first.rule().onRegression();
        if (policy == OnRegression.FAIL) {
            report(command, regressions, GuardAction.FAILED, host, port, primary);
            return new ReplyVerdict(ReplyVerdict.Action.FAIL, command,
                    first.failureMessage(command.operation, guard.keyPrivacy()), regressions, host, port);
        }
        if (policy == OnRegression.REPORT || primary || first.type() == InconsistencyType.PRIMARY_REGRESSION
                || command.connection == null) {
            report(command, regressions, GuardAction.REPORTED, host, port, primary);
            return new ReplyVerdict(ReplyVerdict.Action.PASS, command, null, regressions, host, port);
        }
        return new ReplyVerdict(ReplyVerdict.Action.REREAD, command, null, regressions, host, port);
    }

    /**
     * Records a tracked write from its reply: only a write Redis applied sets marks, each to the higher
     * of the mark and the version written (so the mark is the highest applied version whatever order
     * the replies arrive in). An unconditional write is applied whenever it answers without an error;
     * {@code SET … NX}, {@code SETNX}, {@code MSETNX} (all keys or none) and {@code HSETNX} when the
     * reply says so, or for {@code SET … NX GET} when the previous value was nil; {@code SET … XX} when
     * the reply says so, or for {@code SET … XX GET} when there was a previous value. A previous value
     * returned ({@code SET … GET}, {@code GETSET}) is the primary's, shown to the application: it raises
     * the mark too, and is never reported. The value written then becomes the mark, even when lower: it is
     * the newest state by definition. Writes raise no events.
     */
    public void onWriteReply(TrackedCommand command, WriteReply reply) {
        if (command.written == null) {
            return;
        }
        boolean applied;
        switch (command.condition) {
            case IF_ABSENT:
                applied = command.returnsPrevious ? reply.previousRead && reply.previous == null : reply.acknowledged;
                break;
            case IF_PRESENT:
                applied = command.returnsPrevious ? reply.previousRead && reply.previous != null : reply.acknowledged;
                break;
            default:
                applied = true;
        }
        for (int i = 0; i < command.keys.length; i++) {
            if (command.returnsPrevious && reply.previous != null) {
                guard.observeApplied(command.rules[i], command.database, command.keys[i], reply.previous.duplicate(),
                        false);
            }
            if (applied && command.written[i] != null) {
                guard.observeApplied(command.rules[i], command.database, command.keys[i],
                        ByteBuffer.wrap(command.written[i]), true);
            }
        }
    }

    /**
     * The primary answered the re-read of a {@link ReplyVerdict.Action#REREAD} verdict: reports the
     * regressions as re-read, then judges the primary's values (a primary below the mark lost writes).
     *
     * @param primaryValues per tracked key the primary's value, as for {@link #onReply}; {@code null}
     *     when the primary's reply could not be read.
     */
    public void onReread(ReplyVerdict verdict, ByteBuffer[] primaryValues) {
        TrackedCommand command = verdict.command();
        report(command, verdict.regressions, GuardAction.REREAD_PRIMARY, verdict.host, verdict.port, false);
        if (primaryValues == null) {
            return;
        }
        for (Regression regression : verdict.regressions) {
            int index = indexOf(command, regression.key());
            Regression primary = guard.checkPrimary(regression, index < 0 ? null : primaryValues[index]);
            if (primary != null) {
                Inconsistencies.report(primary.outcome(command.operation, GuardAction.REREAD_PRIMARY, null, -1,
                        true, command.context));
            }
        }
    }

    /**
     * The re-read of a {@link ReplyVerdict.Action#REREAD} verdict could not be made or failed: the
     * application gets the reply it would have had without the agent, and the regressions are reported.
     */
    public void onRereadFailed(ReplyVerdict verdict) {
        report(verdict.command(), verdict.regressions, GuardAction.REPORTED, verdict.host, verdict.port, false);
    }

    /**
     * The application deletes these keys (also inside a transaction, where the reply is not
     * checked): a later nil is not a regression.
     */
    public void onDeleteQueued(TrackedCommand deleted) {
        for (byte[] key : deleted.keys) {
            guard.forget(deleted.database, key);
        }
    }

    private static int indexOf(TrackedCommand command, byte[] key) {
        for (int i = 0; i < command.keys.length; i++) {
            if (command.keys[i] == key) {
                return i;
            }
        }
        return -1;
    }

    private static void report(TrackedCommand command, List<Regression> regressions, GuardAction action, String host,
            int port, boolean primary) {
        for (Regression regression : regressions) {
            Inconsistencies.report(regression.outcome(command.operation, action, host, port, primary,
                    command.context));
        }
    }
}
