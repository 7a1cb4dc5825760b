package io.stateguard.agent.redisson;

import io.stateguard.agent.api.StaleStateException;
import io.stateguard.agent.config.Rule;
import io.stateguard.agent.guard.GuardRuntime;
import io.stateguard.agent.guard.NodeAddresses;
import io.stateguard.agent.guard.RegressionPolicy;
import io.stateguard.agent.guard.ReplyVerdict;
import io.stateguard.agent.guard.TrackedCommand;
import io.stateguard.agent.guard.WriteCondition;
import io.stateguard.agent.guard.WriteReply;
import io.stateguard.agent.internal.AgentLog;
import io.stateguard.agent.internal.InternalErrors;
import io.stateguard.agent.redisson.RedissonFollowing.Followed;
import io.stateguard.agent.routing.CausalWrites;
import io.stateguard.agent.versions.VersionReading;

import org.redisson.api.RFuture;
import org.redisson.client.RedisConnection;
import org.redisson.client.RedisException;
import org.redisson.command.RedisExecutor;
import org.redisson.connection.NodeSource;
import org.redisson.client.codec.Codec;
import org.redisson.client.protocol.RedisCommand;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * Redisson's success of a command, before the application's future (and so its sync call, Mono or Flowable) sees
 * the value ({@code RedisExecutor.handleSuccess} advice; batches have executors of their own and are not followed).
 * For a followed command: hands the raw reply ({@link RedissonReply}) to the guard's {@link RegressionPolicy} and
 * carries out the verdict: complete as Redisson would, fail with a {@code StaleStateException}, or re-read on the
 * master through the same command executor and complete the application's future with that answer. Nothing here
 * blocks, and a command is re-read at most once.
 */
public final class RedissonCompletion {

    /** The address of the node whose connection (a {@code CompletableFuture<RedisConnection>}) answered. */
    private static final NodeAddresses NODES = new NodeAddresses() {
        @Override
        public InetSocketAddress addressOf(Object connectionFuture) {
            try {
                Object connection = connectionFuture instanceof CompletableFuture
                        ? ((CompletableFuture<?>) connectionFuture).getNow(null) : null;
                return connection instanceof RedisConnection
                        ? ((RedisConnection) connection).getRedisClient().getAddr() : null;
            } catch (Throwable t) {
                return null;
            }
        }
    };

    /** Set while the guard hands a held command back to Redisson's own {@code handleSuccess}. */
    private static final ThreadLocal<boolean[]> HANDING_BACK = new ThreadLocal<boolean[]>() {
        @Override
        protected boolean[] initialValue() {
            return new boolean[1];
        }
    };

    private RedissonCompletion() {
    }

    /**
     * {@code handleSuccess(promise, connectionFuture, result)} of a {@code RedisExecutor}.
     *
     * @return {@code true} when the guard took over (the application's {@code promise} is completed later, with
     *     the master's value or an exception), {@code false} to let Redisson complete it now.
     */
    public static boolean onSuccess(Object executor, CompletableFuture<Object> promise, Object connectionFuture,
            Object result) {
        boolean writes = !CausalWrites.nothingPending();
        if (!writes && RedissonFollowing.FOLLOWED.isEmpty() || !(executor instanceof RedisExecutor)
                || HANDING_BACK.get()[0]) {
            return false;
        }
        Object[] params;
        try {
            params = Executors.params(executor);
        } catch (Throwable t) {
            InternalErrors.record("guard.complete", t);
            return false;
        }
        if (writes && params != null) {
            try {
                // A causal write's reply, before the application sees it: its keys were acknowledged now.
                CausalWrites.completed(CausalWrites.take(params));
            } catch (Throwable t) {
                InternalErrors.record("routing.write", t);
            }
        }
        GuardRuntime guard = GuardRuntime.current();
        if (guard == null || RedissonFollowing.FOLLOWED.isEmpty()) {
            return false;
        }
        try {
            Followed followed = params == null ? null : RedissonFollowing.FOLLOWED.remove(params);
            if (followed == null) {
                return false;
            }
            if (followed.tracked == null) {
                // The guard's own re-read: its future's callback reads the reply, and forgets it.
                RedissonFollowing.FOLLOWED.put(params, followed);
                return false;
            }
            TrackedCommand tracked = followed.tracked;
            if (tracked.kind().isJudgedByReply()) {
                // A write sets marks only when its reply says Redis applied it; it is never failed or re-read.
                guard.policy().onWriteReply(tracked, writeReply(followed, result));
                return false;
            }
            ByteBuffer[] values = tracked.kind().isRead() ? values(guard, followed, followed.reply, result) : null;
            ReplyVerdict verdict = guard.policy().onReply(tracked, values, NODES, connectionFuture);
            switch (verdict.action()) {
                case HOLD:
                    hold(guard, executor, promise, connectionFuture, result, verdict);
                    return true;
                case REREAD:
                    return reread(guard, followed, executor, promise, connectionFuture, result, verdict);
                default:
                    return false;
            }
        } catch (Throwable t) {
            InternalErrors.record("guard.complete", t);
            return false;
        }
    }

    /**
     * Per tracked key its value in the reply (for hash rules the version field's), as {@link RegressionPolicy#onReply}
     * takes them; {@code null} when the reply was not read whole or in the shape expected (nothing is checked).
     * A single value must agree with what Redisson decoded: present exactly when the decoded value is.
     */
    static ByteBuffer[] values(GuardRuntime guard, Followed followed, RedissonReply reply, Object decoded) {
        if (reply == null || !reply.readable()) {
            return null;
        }
        TrackedCommand tracked = followed.tracked;
        ByteBuffer[] values = new ByteBuffer[tracked.keyCount()];
        switch (RedissonReply.shapeOf(tracked.kind())) {
            case ARRAY:
                for (int key = 0; key < values.length; key++) {
                    int position = followed.positions[key];
                    values[key] = position < 0 ? RegressionPolicy.UNREADABLE : reply.slot(position);
                }
                break;
            case FIELDS:
                values[0] = reply.slot(0);
                break;
            default:
                values[0] = reply.slot(0);
                if ((values[0] == null) != (decoded == null)) {
                    return null;
                }
        }
        CodecNotice.check(guard, followed, values);
        return values;
    }

    /**
     * What a tracked write's reply says: for a write returning the previous value ({@code GETSET}, {@code SET … GET})
     * that value, read raw; otherwise from Redisson's decoded result: a {@code Boolean} ({@code SET … NX} of
     * {@code trySet}/{@code setIfAbsent}, {@code PEXPIRE}), a count, {@code "OK"}, or nothing at all
     * ({@code RBucket.set} decodes {@code OK} to {@code null}: an unconditional write that succeeded was applied).
     */
    static WriteReply writeReply(Followed followed, Object result) {
        TrackedCommand tracked = followed.tracked;
        if (tracked.returnsPrevious()) {
            RedissonReply reply = followed.reply;
            if (reply == null || !reply.readable()) {
                return WriteReply.UNREADABLE;
            }
            ByteBuffer previous = reply.slot(0);
            return previous == RegressionPolicy.UNREADABLE ? WriteReply.UNREADABLE : WriteReply.previous(previous);
        }
        if (result == null) {
            // Redisson decodes an OK to nothing (RBucket.set): an unconditional write that succeeded was applied;
            // a conditional one says nothing that way.
            return tracked.condition() == WriteCondition.ALWAYS ? WriteReply.APPLIED : WriteReply.UNREADABLE;
        }
        return WriteReply.ofDecoded(result);
    }

    /**
     * Keeps the application's future open until the guard has settled the command (a master-routed {@code fail}
     * rule whose master answered below the mark), then completes it as Redisson would, or fails it.
     */
    private static void hold(GuardRuntime guard, final Object executor, final CompletableFuture<Object> promise,
            final Object connectionFuture, final Object result, ReplyVerdict verdict) {
        guard.policy().settle(verdict, new RegressionPolicy.Settled() {
            @Override
            public void settled(String failureMessage) {
                if (promise.isDone()) {
                    return;
                }
                if (failureMessage != null) {
                    promise.completeExceptionally(staleState(failureMessage));
                } else {
                    handBack(executor, promise, connectionFuture, result);
                }
            }
        });
    }

    /** Re-issues the read on the master; completes the application's {@code promise} when it answers. */
    private static boolean reread(final GuardRuntime guard, final Followed followed, final Object executor,
            final CompletableFuture<Object> promise, final Object connectionFuture, final Object result,
            final ReplyVerdict verdict) {
        final boolean detached = verdict.detached();
        final Object[] params = followed.rereadParams.clone();
        final Followed reread = followed.reread(followed.reply.fresh());
        RFuture<Object> future;
        RedissonFollowing.FOLLOWED.put(params, reread);
        GuardRuntime.beginReread();
        try {
            future = followed.executor.async(false, (NodeSource) followed.source, (Codec) followed.codec,
                    (RedisCommand<Object>) followed.command, params, false, false);
        } catch (Throwable t) {
            // Cannot issue the re-read: deliver what the replica said, as without the agent.
            RedissonFollowing.FOLLOWED.remove(params);
            InternalErrors.record("guard.reread", t);
            guard.policy().onRereadFailed(verdict);
            return false;
        } finally {
            GuardRuntime.endReread();
        }
        future.whenComplete(new BiConsumer<Object, Throwable>() {
            @Override
            public void accept(Object fresh, Throwable error) {
                RedissonFollowing.FOLLOWED.remove(params);
                afterReread(guard, followed, reread, detached ? null : executor, promise, connectionFuture, result,
                        verdict, fresh, error);
            }
        });
        return !detached; // a detached re-read only confirms: Redisson completes the command now
    }

    private static void afterReread(GuardRuntime guard, Followed followed, Followed reread, Object executor,
            CompletableFuture<Object> promise, Object connectionFuture, Object stale, ReplyVerdict verdict,
            Object fresh, Throwable error) {
        try {
            if (error != null) {
                // Redis or the connection refused the re-read: the application gets the reply it would have had
                // without the agent.
                AgentLog.once(AgentLog.Level.WARN, "guard.reread.failed", "a re-read on the master failed (" + error
                        + "); the application got the replica's reply as without the agent, and the regression is"
                        + " reported with action=reported (logged once)", null);
                guard.policy().onRereadFailed(verdict);
                if (executor != null) {
                    handBack(executor, promise, connectionFuture, stale);
                }
                return;
            }
            String failure = guard.policy().onReread(verdict, values(guard, followed, reread.reply, fresh));
            if (executor == null || promise.isDone()) {
                return; // detached, or the application's future has its outcome already
            }
            if (failure != null) {
                promise.completeExceptionally(staleState(failure));
            } else {
                promise.complete(fresh); // already through the re-read's own handleSuccess
            }
        } catch (Throwable t) {
            InternalErrors.record("guard.reread", t);
            if (executor != null && !promise.isDone()) {
                handBack(executor, promise, connectionFuture, stale);
            }
        }
    }

    /** Lets Redisson's own {@code handleSuccess} complete the application's future with {@code result}. */
    private static void handBack(Object executor, CompletableFuture<Object> promise, Object connectionFuture,
            Object result) {
        boolean[] handingBack = HANDING_BACK.get();
        handingBack[0] = true;
        try {
            Executors.handleSuccess(executor, promise, connectionFuture, result);
        } catch (Throwable t) {
            InternalErrors.record("guard.complete", t);
            if (!promise.isDone()) {
                promise.complete(result);
            }
        } finally {
            handingBack[0] = false;
        }
    }

    /**
     * The exception of {@code on-regression=fail}: Redisson's own {@code RedisException}, which its sync API passes
     * through as it is (it wraps any other exception into one, "Unexpected exception while processing command"), so
     * every API fails alike and generic Redisson error handling keeps working. Its message starts with
     * {@link StaleStateException#STALE_STATE_MARKER}, and its cause is the agent's {@code StaleStateException} (where
     * that class can be linked), which code that tells stale state apart can look for.
     */
    static RedisException staleState(String message) {
        Object cause;
        try {
            cause = instantiate(message);
        } catch (LinkageError e) {
            cause = null;
        }
        return new RedisException(message, cause instanceof Throwable ? (Throwable) cause : null);
    }

    /** Typed {@code Object}: the verifier then needs no knowledge of the exception's superclass here. */
    private static Object instantiate(String message) {
        return new StaleStateException(message);
    }

    /** Reflective access to the {@code RedisExecutor} members the advice cannot hand over. */
    static final class Executors {

        private static final Field PARAMS;

        private static final Method HANDLE_SUCCESS;

        static {
            Field params = null;
            Method handleSuccess = null;
            try {
                params = RedisExecutor.class.getDeclaredField("params");
                params.setAccessible(true);
                handleSuccess = RedisExecutor.class.getDeclaredMethod("handleSuccess", CompletableFuture.class,
                        CompletableFuture.class, Object.class);
                handleSuccess.setAccessible(true);
            } catch (Throwable t) {
                InternalErrors.record("guard.redisson", t);
            }
            PARAMS = params;
            HANDLE_SUCCESS = handleSuccess;
        }

        private Executors() {
        }

        static Object[] params(Object executor) throws IllegalAccessException {
            return PARAMS == null ? null : (Object[]) PARAMS.get(executor);
        }

        static void handleSuccess(Object executor, CompletableFuture<Object> promise, Object connectionFuture,
                Object result) throws Exception {
            HANDLE_SUCCESS.invoke(executor, promise, connectionFuture, result);
        }
    }

    /**
     * Says once per codec class when the first value read through it has no readable version: Redisson encodes
     * values with the object's codec (the default {@code Kryo5Codec} writes binary), and a version the codec hides
     * cannot be checked. Every such reply is counted ({@code stateguard.versions.unreadable}).
     */
    static final class CodecNotice {

        private static final ClassValue<AtomicBoolean> DECIDED = new ClassValue<AtomicBoolean>() {
            @Override
            protected AtomicBoolean computeValue(Class<?> type) {
                return new AtomicBoolean();
            }
        };

        private CodecNotice() {
        }

        static void check(GuardRuntime guard, Followed followed, ByteBuffer[] values) {
            if (followed.codec == null) {
                return;
            }
            for (int key = 0; key < values.length; key++) {
                ByteBuffer value = values[key];
                if (value == null || value == RegressionPolicy.UNREADABLE) {
                    continue;
                }
                AtomicBoolean decided = DECIDED.get(followed.codec.getClass());
                if (decided.get() || !decided.compareAndSet(false, true)) {
                    return;
                }
                Rule rule = guard.versionGuard().rules().get(followed.tracked.rule(key));
                VersionReading reading = new VersionReading();
                if (!rule.version().extract(value.duplicate(), reading)) {
                    AgentLog.warn("the version (" + rule.version() + ") of rule " + rule.name() + " cannot be read"
                            + " from a value Redisson encoded with " + followed.codec.getClass().getName() + " ("
                            + reading.failure().label() + "): such replies are not checked, and each is counted in"
                            + " stateguard.versions.unreadable; state keys need a codec that writes text, such as"
                            + " StringCodec or JsonJacksonCodec (said once per codec)");
                }
                return;
            }
        }
    }
}
