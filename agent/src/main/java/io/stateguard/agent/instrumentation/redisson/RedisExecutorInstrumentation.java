package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.ParameterType;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.redisson.RedissonCompletion;

import java.util.concurrent.CompletableFuture;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;

/**
 * {@code org.redisson.command.RedisExecutor.handleSuccess(CompletableFuture promise, CompletableFuture
 * connectionFuture, Object result)}: a command succeeded and its decoded result is about to complete the
 * application's future. The version guard judges the replies it follows there and may take over the completion (to
 * re-read on the master, or to fail the command). Batch executors override the method and are not followed.
 */
public final class RedisExecutorInstrumentation implements TypeInstrumentation {

    static final String REDIS_EXECUTOR = "org.redisson.command.RedisExecutor";

    static final String SUCCESS_ADVICE = RedisExecutorInstrumentation.class.getName() + "$SuccessAdvice";

    @Override
    public String typeName() {
        return REDIS_EXECUTOR;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        ParameterType future = ParameterType.named("java.util.concurrent.CompletableFuture");
        transformer.applyAdviceToMethod(
                method("handleSuccess", future, future, ParameterType.named("java.lang.Object")),
                MethodAdvice.to(SUCCESS_ADVICE, "onEnter", MethodAdvice.THIS, 0, 1, 2).skipOnTrue());
    }

    @Override
    public String toString() {
        return REDIS_EXECUTOR;
    }

    /** Called from {@code handleSuccess}; never throws. */
    public static final class SuccessAdvice {

        private SuccessAdvice() {
        }

        /** Returns {@code true} to skip Redisson's own completion: the guard completes the future later. */
        @SuppressWarnings("unchecked")
        public static boolean onEnter(Object executor, CompletableFuture<?> promise, CompletableFuture<?> connection,
                Object result) {
            try {
                return RedissonCompletion.onSuccess(executor, (CompletableFuture<Object>) promise, connection, result);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return false;
            }
        }
    }
}
