package io.stateguard.agent.guard;

import io.stateguard.agent.config.OnRegression;
import io.stateguard.agent.config.RoutingMode;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.versions.HighWaterMarks;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a reply meets the marks and the rule's {@code on-regression} policy is applied. Knows no Redis
 * client: values are bytes and the client adapter carries out the {@link ReplyVerdict}. Thread-safe;
 * called on the client's I/O threads, never blocks.
 *
 * <h2>The rule</h2>
 * The primary is the truth about the present; the marks are the truth about what this process has
 * already been shown. So:
 * <ul>
 * <li>A reply that may come from a replica and is older than what the application had been shown when
 *     it issued the read (its mark then; or nil for a key with a mark, or a value of a key the
 *     application deleted) is only a suspicion: the primary is read, and it is an inconsistency only when
 *     the primary shows that the reply was stale ({@link VersionGuard#replicaWasBehind}). A primary that
 *     agrees (the key expired, another process deleted or rewrote it) clears the suspicion; nothing is
 *     reported or thrown.</li>
 * <li>A value the primary itself serves that is below the mark (or a nil) is a lost write only when the
 *     primary's replication ID differs from the one the mark was seen under ({@link ReplicationIds}): a
 *     failover or a restart without persistence since. Then it is a {@code primary_regression}.
 *     Either way it is the present: the mark follows it at once (a nil marks the key deleted); without
 *     proof the reset is counted ({@code stateguard.marks.reset}).</li>
 * <li>Writes set marks from their replies ({@link #onWriteReply}); deletes leave a deleted mark
 *     ({@link #onDeleted}).</li>
 * </ul>
 * {@code reread-primary} completes the command with the primary's reply; {@code fail} fails it when the
 * primary confirms (for a primary-routed rule: when the replication ID proves lost writes) and otherwise
 * completes it with the primary's reply; {@code report} completes it with the reply it has and confirms
 * in the background.
 */
public final class RegressionPolicy {

    /**
     * A value of a multi-value reply that cannot be checked (over the size cap, rejected by the adapter
     * before it was copied): its key is skipped, unlike a {@code null} entry, which is nil. Compared by
     * identity.
     */
    public static final ByteBuffer UNREADABLE = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** Called when a {@link ReplyVerdict.Action#HOLD} verdict is settled, on any thread. */
    public interface Settled {

        /** @param failureMessage the stale-state exception's message, or {@code null} to complete the command as it is */
        void settled(String failureMessage);
    }

    private final VersionGuard guard;
    private final ReplicationIds replicationIds;

    public RegressionPolicy(VersionGuard guard, ReplicationIds replicationIds) {
        this.guard = guard;
        this.replicationIds = replicationIds;
    }

    /**
     * Judges the reply of a tracked command.
     *
     * @param values for reads, per tracked key its value (for hash rules the version field's value),
     *     {@code null} entries for nil, {@link #UNREADABLE} entries for values that cannot be checked;
     *     {@code null} when the reply could not be read (nothing is checked). Ignored for writes and
     *     deletes: prefer {@link #onWriteReply} for writes.
     * @param nodes finds the address of the node that answered, asked only for a regression.
     * @param node the client's object for the connection that answered (passed to {@code nodes}).
     */
    public ReplyVerdict onReply(TrackedCommand command, ByteBuffer[] values, NodeAddresses nodes, Object node) {
        if (command.kind == CommandKind.DELETE) {
            onDeleted(command);
            return ReplyVerdict.PASS;
        }
        if (command.kind.isJudgedByReply()) {
            onWriteReply(command, WriteReply.UNREADABLE);
            return ReplyVerdict.PASS;
        }
        if (values == null) {
            return ReplyVerdict.PASS;
        }
        short sighting = replicationIds.sighting(command.connection);
        List<Regression> suspicions = null;
        List<Regression> candidates = null;
        for (int i = 0; i < command.keys.length; i++) {
            if (values[i] == UNREADABLE) {
                continue;
            }
            Rule rule = guard.rules().get(command.rules[i]);
            if (rule.routing() == RoutingMode.PRIMARY) {
                Regression candidate = guard.checkPrimary(command.rules[i], command.database, command.keys[i],
                        values[i], sighting, command.floors == null ? HighWaterMarks.NO_MARK : command.floors[i]);
                if (candidate != null) {
                    candidates = add(candidates, candidate);
                }
            } else {
                Regression suspicion = guard.check(command.rules[i], command.database, command.keys[i], values[i],
                        sighting, command.floors == null ? HighWaterMarks.NO_MARK : command.floors[i]);
                if (suspicion != null) {
                    suspicions = add(suspicions, suspicion);
                }
            }
        }
        if (suspicions == null && candidates == null) {
            return ReplyVerdict.PASS;
        }
        InetSocketAddress address = nodes == null ? null : nodes.addressOf(node);
        String host = address == null ? null : address.getHostString();
        int port = address == null ? -1 : address.getPort();
        if (suspicions == null) {
            // Served by the primary: re-reading cannot help, only a replication ID can prove lost writes.
            boolean fail = candidates.get(0).rule().onRegression() == OnRegression.FAIL;
            ReplyVerdict verdict = new ReplyVerdict(fail ? ReplyVerdict.Action.HOLD : ReplyVerdict.Action.PASS,
                    command, false, candidates, host, port);
            if (!fail) {
                settle(verdict, null);
            }
            return verdict;
        }
        if (candidates != null) {
            settle(new ReplyVerdict(ReplyVerdict.Action.PASS, command, false, candidates, host, port), null);
        }
        if (command.connection == null) {
            // Nothing can ask the primary: a reply older than what this process was shown is reported as it is.
            report(command, suspicions, GuardAction.REPORTED, host, port, false);
            return ReplyVerdict.PASS;
        }
        boolean detached = suspicions.get(0).rule().onRegression() == OnRegression.REPORT;
        return new ReplyVerdict(ReplyVerdict.Action.REREAD, command, detached, suspicions, host, port);
    }

    /**
     * Settles the primary-served candidates of a {@link ReplyVerdict.Action#HOLD} (or passed) verdict:
     * reads the primary's replication ID now, reports each proven lost write as a
     * {@code primary_regression}, and calls {@code settled} (if any) with the failure message for a
     * {@code fail} rule whose loss is proven, else {@code null}.
     */
    public void settle(final ReplyVerdict verdict, final Settled settled) {
        final TrackedCommand command = verdict.command();
        replicationIds.fresh(command.connection, new ReplicationIds.ProofCallback() {
            @Override
            public void done(ReplicationIds.Proof proof) {
                String failure = null;
                try {
                    for (Regression candidate : verdict.regressions) {
                        if (!guard.settlePrimary(candidate, proof)) {
                            continue;
                        }
                        boolean fail = settled != null && candidate.rule().onRegression() == OnRegression.FAIL;
                        Inconsistencies.report(candidate.outcome(command.operation,
                                fail ? GuardAction.FAILED : GuardAction.REPORTED, verdict.host, verdict.port, true,
                                command.context));
                        if (fail && failure == null) {
                            failure = candidate.failureMessage(command.operation, guard.keyPrivacy());
                        }
                    }
                } finally {
                    if (settled != null) {
                        settled.settled(failure);
                    }
                }
            }
        });
    }

    /**
     * Records a tracked write from its reply: only a write Redis applied sets marks. An unconditional
     * write is applied whenever it answers without an error; {@code SET … NX}, {@code SETNX},
     * {@code MSETNX} (all keys or none) and {@code HSETNX} when the reply says so, or for
     * {@code SET … NX GET} when the previous value was nil; {@code SET … XX} when the reply says so, or
     * for {@code SET … XX GET} when there was a previous value. A previous value returned
     * ({@code SET … GET}, {@code GETSET}) is the primary's, shown to the application: it raises the mark
     * too, and is never reported. The mark is the highest version applied, whatever order the replies
     * arrive in (a deleted key written again takes the version written). Writes raise no events.
     */
    public void onWriteReply(TrackedCommand command, WriteReply reply) {
        if (command.kind == CommandKind.EXPIRE) {
            if (reply.acknowledged) {
                onDeleted(command); // the key existed and is gone
            }
            return;
        }
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
        short sighting = replicationIds.sighting(command.connection);
        for (int i = 0; i < command.keys.length; i++) {
            if (command.returnsPrevious && reply.previous != null) {
                guard.observeApplied(command.rules[i], command.database, command.keys[i], reply.previous.duplicate(),
                        false, sighting);
            }
            if (applied && command.written[i] != null) {
                guard.observeApplied(command.rules[i], command.database, command.keys[i],
                        ByteBuffer.wrap(command.written[i]), true, sighting);
            }
        }
    }

    /**
     * The primary answered the re-read of a {@link ReplyVerdict.Action#REREAD} verdict: each suspicion the
     * primary confirms (the replica was behind it) is reported, as re-read (or, for a detached re-read,
     * as reported; for {@code fail}, as failed); suspicions the primary does not confirm are dropped. The
     * primary's values are then judged as the primary's ({@link #settle}).
     *
     * @param primaryValues per tracked key the primary's value, as for {@link #onReply}; {@code null}
     *     when the primary's reply could not be read (nothing is reported).
     * @return the stale-state exception's message when a {@code fail} rule's suspicion was confirmed and
     *     the command is to be failed, otherwise {@code null} (complete it with the primary's reply).
     */
    public String onReread(ReplyVerdict verdict, ByteBuffer[] primaryValues) {
        if (primaryValues == null) {
            return null;
        }
        TrackedCommand command = verdict.command();
        short sighting = replicationIds.sighting(command.connection);
        String failure = null;
        List<Regression> candidates = null;
        for (Regression suspicion : verdict.regressions) {
            int index = indexOf(command, suspicion.key());
            if (index < 0 || primaryValues[index] == UNREADABLE) {
                continue;
            }
            ByteBuffer primaryValue = primaryValues[index];
            if (guard.replicaWasBehind(suspicion, primaryValue)) {
                GuardAction action = verdict.detached() ? GuardAction.REPORTED
                        : suspicion.rule().onRegression() == OnRegression.FAIL ? GuardAction.FAILED
                        : GuardAction.REREAD_PRIMARY;
                Inconsistencies.report(suspicion.outcome(command.operation, action, verdict.host, verdict.port, false,
                        command.context));
                if (action == GuardAction.FAILED && failure == null) {
                    failure = suspicion.failureMessage(command.operation, guard.keyPrivacy());
                }
            }
            Regression candidate = guard.checkPrimary(suspicion.ruleIndex(), command.database, suspicion.key(),
                    primaryValue == null ? null : primaryValue.duplicate(), sighting);
            if (candidate != null) {
                candidates = add(candidates, candidate);
            }
        }
        if (candidates != null) {
            settle(new ReplyVerdict(ReplyVerdict.Action.PASS, command, false, candidates, null, -1), null);
        }
        return failure;
    }

    /**
     * The re-read of a {@link ReplyVerdict.Action#REREAD} verdict could not be made or failed: the
     * application gets the reply it would have had without the agent. The primary cannot say otherwise,
     * so each suspicion (older than what this process was shown) is reported as it is.
     */
    public void onRereadFailed(ReplyVerdict verdict) {
        report(verdict.command(), verdict.regressions, GuardAction.REPORTED, verdict.host, verdict.port, false);
    }

    /**
     * The application deleted these keys ({@code DEL}, {@code UNLINK}, {@code GETDEL}, an
     * {@code EXPIRE} that takes effect at once; also queued in a transaction, where the reply is not
     * checked): a later nil is what it expects, and a replica's older value is suspect.
     */
    public void onDeleted(TrackedCommand deleted) {
        short sighting = replicationIds.sighting(deleted.connection);
        for (byte[] key : deleted.keys) {
            guard.deleted(deleted.database, key, sighting);
        }
    }

    /** The application flushed databases ({@code FLUSHDB}, {@code FLUSHALL}): every mark is dropped. */
    public void onFlushed() {
        guard.flushed();
    }

    private static List<Regression> add(List<Regression> list, Regression regression) {
        List<Regression> result = list == null ? new ArrayList<Regression>(2) : list;
        result.add(regression);
        return result;
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
