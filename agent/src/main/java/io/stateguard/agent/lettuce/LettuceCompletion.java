package io.stateguard.agent.lettuce;

import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.DecoratedCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.NodeAddresses;
import io.stateguard.agent.guard.RegressionPolicy;
import io.stateguard.agent.guard.ReplyVerdict;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.internal.WeakIdentityMap;
import io.stateguard.agent.routing.CausalWrites;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.TransactionalCommand;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Lettuce's completion of a command, on the connection's event-loop thread, before the application's
 * future, publisher or sync call sees the reply ({@code CommandHandler.complete} advice). For a
 * command the guard tracks: reads its reply ({@link LettuceReplies}), hands it to the guard's
 * {@link io.stateguard.agent.guard.RegressionPolicy}, and carries out the verdict: complete as
 * Lettuce would, fail with a {@code StaleStateException}, or re-read on the primary through the same
 * channel writer and complete the command with that answer. Nothing here blocks, and a command is
 * re-read at most once.
 */
public final class LettuceCompletion {

    /** The address of the node behind a {@code CommandHandler}, asked only for events. */
    private static final NodeAddresses NODES = new NodeAddresses() {
        @Override
        public InetSocketAddress addressOf(Object handler) {
            try {
                Object channel = LettuceFields.channel(handler);
                SocketAddress address = channel instanceof io.netty.channel.Channel
                        ? ((io.netty.channel.Channel) channel).remoteAddress() : null;
                return address instanceof InetSocketAddress ? (InetSocketAddress) address : null;
            } catch (Throwable t) {
                return null;
            }
        }
    };

    private LettuceCompletion() {
    }

    /**
     * A causal write's reply arrived (before the application sees it): its keys were acknowledged now. A write
     * queued in {@code MULTI} is applied at {@code EXEC}: its keys are acknowledged when the {@code EXEC} on the
     * same connection completes (a {@code DISCARD} forgets them).
     */
    private static void causalWriteCompleted(Object handler, RedisCommand<?, ?, ?> command) {
        long[] hashes = null;
        RedisCommand<?, ?, ?> found = command;
        for (int depth = 0; depth < 8 && found != null; depth++) {
            hashes = CausalWrites.take(found);
            if (hashes != null || !(found instanceof DecoratedCommand)) {
                break;
            }
            found = ((DecoratedCommand<?, ?, ?>) found).getDelegate();
        }
        if (hashes != null) {
            if (command instanceof TransactionalCommand || found instanceof TransactionalCommand) {
                Transactions.queued(handler, hashes);
            } else {
                CausalWrites.completed(hashes);
            }
            return;
        }
        if (Transactions.open()) {
            ProtocolKeyword type = command.getType();
            if (type == CommandType.EXEC) {
                CausalWrites.completed(Transactions.ended(handler));
            } else if (type == CommandType.DISCARD) {
                Transactions.ended(handler);
            }
        }
    }

    /** Causal writes queued in a transaction, per connection (its command handler), until EXEC or DISCARD. */
    static final class Transactions {

        private static final WeakIdentityMap<long[]> QUEUED = new WeakIdentityMap<>();

        private Transactions() {
        }

        static boolean open() {
            return !QUEUED.isEmpty();
        }

        static synchronized void queued(Object handler, long[] hashes) {
            long[] before = QUEUED.get(handler);
            if (before == null || hashes == CausalWrites.EVERY_KEY || before == CausalWrites.EVERY_KEY) {
                QUEUED.put(handler, before == null ? hashes : CausalWrites.EVERY_KEY);
                return;
            }
            long[] all = java.util.Arrays.copyOf(before, before.length + hashes.length);
            System.arraycopy(hashes, 0, all, before.length, hashes.length);
            QUEUED.put(handler, all);
        }

        static synchronized long[] ended(Object handler) {
            return QUEUED.remove(handler);
        }
    }

    /**
     * @return {@code true} when the guard took over the completion (the command is completed later,
     *     with the primary's value or an exception), {@code false} to let Lettuce complete it now.
     */
    public static boolean onComplete(Object handler, RedisCommand<?, ?, ?> command) {
        if (command != null && (!CausalWrites.nothingPending() || Transactions.open())) {
            try {
                causalWriteCompleted(handler, command);
            } catch (Throwable t) {
                InternalErrors.record("routing.write", t);
            }
        }
        if (command == null || GuardRuntime.nothingPending()) {
            return false;
        }
        GuardRuntime guard = GuardRuntime.current();
        if (guard == null) {
            return false;
        }
        try {
            TrackedCommand tracked = null;
            RedisCommand<?, ?, ?> found = command;
            for (int depth = 0; depth < 8 && found != null; depth++) {
                tracked = GuardRuntime.take(found);
                if (tracked != null || !(found instanceof DecoratedCommand)) {
                    break;
                }
                found = ((DecoratedCommand<?, ?, ?>) found).getDelegate();
            }
            if (tracked == null) {
                return false;
            }
            CommandOutput<?, ?, ?> output = command.getOutput();
            if (output == null || output.hasError()) {
                return false; // errors (WRONGTYPE, MOVED, ...) go to the application as they are
            }
            if (tracked.kind().isJudgedByReply()) {
                // A write sets marks (an EXPIRE that deletes, a deleted mark) only when its reply says Redis
                // applied it; it is never failed or re-read.
                guard.policy().onWriteReply(tracked, LettuceReplies.writeReply(tracked, output));
                return false;
            }
            ByteBuffer[] values = tracked.kind().isRead() ? replyValues(guard, tracked, output) : null;
            ReplyVerdict verdict = guard.policy().onReply(tracked, values, NODES, handler);
            switch (verdict.action()) {
                case HOLD:
                    return hold(guard, command, verdict);
                case REREAD:
                    return reread(guard, command, output, verdict);
                default:
                    return false;
            }
        } catch (Throwable t) {
            InternalErrors.record("guard.complete", t);
            return false;
        }
    }

    /**
     * Keeps the command open until the guard has settled it (a primary-routed {@code fail} rule whose
     * primary answered below the mark: only the primary's replication ID can say whether writes were
     * lost), then completes it as Lettuce would or fails it.
     */
    @SuppressWarnings({"rawtypes"})
    private static boolean hold(GuardRuntime guard, final RedisCommand command, ReplyVerdict verdict) {
        guard.policy().settle(verdict, new RegressionPolicy.Settled() {
            @Override
            public void settled(String failureMessage) {
                try {
                    if (command.isDone()) {
                        return; // cancelled or timed out meanwhile: it has its outcome
                    }
                    if (failureMessage != null) {
                        command.completeExceptionally(StaleStates.create(failureMessage));
                    } else {
                        command.complete();
                    }
                } catch (Throwable t) {
                    InternalErrors.record("guard.settle", t);
                }
            }
        });
        return true;
    }

    private static ByteBuffer[] replyValues(final GuardRuntime guard, TrackedCommand tracked,
            CommandOutput<?, ?, ?> output) throws Throwable {
        return LettuceReplies.values(tracked, output, guard.versionGuard().rules(), guard.tooLargeCounter());
    }

    /** Re-issues the read on the primary; completes {@code command} when it answers. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static boolean reread(final GuardRuntime guard, final RedisCommand command,
            final CommandOutput<?, ?, ?> staleOutput, final ReplyVerdict verdict) {
        Object writer = verdict.command().connection();
        if (LettuceFields.isBusy(writer)) {
            // The application has a transaction open on this connection (the re-read would be queued into
            // its EXEC) or flushes by hand (the re-read would wait for its next flush): no re-read.
            rereadSkipped();
            guard.policy().onRereadFailed(verdict);
            return false;
        }
        final boolean detached = verdict.detached();
        final CommandOutput freshOutput;
        AsyncCommand reread;
        try {
            freshOutput = LettuceFields.freshOutput(staleOutput);
            reread = new AsyncCommand(new Command(command.getType(), freshOutput, command.getArgs()));
            reread.whenComplete((value, error) -> afterReread(guard, detached ? null : command, freshOutput, verdict,
                    (Throwable) error));
        } catch (Throwable t) {
            // Cannot build the re-read: deliver what the replica said, as without the agent.
            InternalErrors.record("guard.reread", t);
            guard.policy().onRereadFailed(verdict);
            return false;
        }
        Throwable refused = LettuceDispatch.writeOwn(writer, reread);
        if (refused != null) {
            // The writer refused (closed connection): deliver what the replica said, as without the agent.
            rereadFailed(refused.toString());
            guard.policy().onRereadFailed(verdict);
            return false;
        }
        return !detached; // a detached re-read only confirms: Lettuce completes the command now
    }

    private static void rereadSkipped() {
        AgentLog.once(AgentLog.Level.INFO, "guard.reread.skipped", "a reply needing a re-read on the primary arrived"
                + " while the application had a transaction open or flushed commands by hand on that connection:"
                + " the application got the reply as without the agent, and the regression is reported with"
                + " action=reported (logged once)", null);
    }

    /**
     * A re-read that Redis or the connection refused is not an error of the agent: one warning saying
     * so, with the first reason; each such regression is reported with {@code action=reported}.
     */
    private static void rereadFailed(String reason) {
        AgentLog.once(AgentLog.Level.WARN, "guard.reread.failed", "a re-read on the primary failed (" + reason
                + "); the application got the replica's reply as without the agent, and the regression is reported"
                + " with action=reported (logged once)", null);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void afterReread(GuardRuntime guard, RedisCommand command, CommandOutput freshOutput,
            ReplyVerdict verdict, Throwable error) {
        try {
            if (error != null || freshOutput.hasError()) {
                // Redis or the connection refused the re-read (an error reply, a lost connection, a
                // timeout): the application gets the reply it would have had without the agent.
                rereadFailed(error != null ? error.toString() : freshOutput.getError());
                guard.policy().onRereadFailed(verdict);
                if (command != null) {
                    command.complete();
                }
                return;
            }
            TrackedCommand tracked = verdict.command();
            String failure = guard.policy().onReread(verdict, replyValues(guard, tracked, freshOutput));
            if (command == null || command.isDone()) {
                // Detached (the command completed with the replica's reply), or the application cancelled
                // its command (or it timed out) while the re-read ran: it has its outcome, and a completed
                // command takes no new output. Not an error of the agent.
                return;
            }
            if (failure != null) {
                command.completeExceptionally(StaleStates.create(failure));
                return;
            }
            command.setOutput(freshOutput);
            command.complete();
        } catch (Throwable t) {
            InternalErrors.record("guard.reread", t);
            try {
                if (command != null) {
                    command.complete();
                }
            } catch (Throwable ignored) {
                // already completed or cancelled
            }
        }
    }
}
