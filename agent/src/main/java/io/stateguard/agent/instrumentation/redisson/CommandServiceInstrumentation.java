package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.ParameterType;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.redisson.RedissonDispatch;
import io.stateguard.agent.redisson.RedissonRouting;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;

/**
 * A Redisson command executor whose {@code async(boolean readOnlyMode, NodeSource, Codec, RedisCommand,
 * Object[] params, boolean ignoreRedirect, boolean noRetry)} every command goes through:
 * {@code CommandAsyncService} (every object's {@code readAsync}/{@code writeAsync}, also for the Reactive
 * and RxJava APIs, whose services extend it) and {@code CommandBatchService}, which overrides it ({@code RBatch},
 * the Reactive and RxJava batches, {@code RBuckets} in a cluster). In {@code CommandAsyncService} also
 * {@code evalAsync(NodeSource, boolean readOnlyMode, Codec, RedisCommand, String script, List keys, boolean,
 * Object...)}, which sends a cached script ({@code EVALSHA}) without {@code async}. The advice replaces
 * {@code readOnlyMode} by {@link RedissonRouting}'s, and the version guard starts following the command there
 * ({@link RedissonDispatch}).
 */
public final class CommandServiceInstrumentation implements TypeInstrumentation {

    static final String READ_ONLY_ADVICE = CommandServiceInstrumentation.class.getName() + "$ReadOnlyAdvice";
    static final String EVAL_ADVICE = CommandServiceInstrumentation.class.getName() + "$EvalAdvice";

    static final ParameterType BOOLEAN = ParameterType.ofDescriptor("Z", "boolean");
    static final ParameterType NODE_SOURCE = ParameterType.named("org.redisson.connection.NodeSource");
    static final ParameterType CODEC = ParameterType.named("org.redisson.client.codec.Codec");
    static final ParameterType REDIS_COMMAND = ParameterType.named("org.redisson.client.protocol.RedisCommand");
    static final ParameterType OBJECTS = ParameterType.ofDescriptor("[Ljava/lang/Object;", "Object[]");

    private final String className;

    private final boolean withEval;

    /**
     * @param className the executor class.
     * @param withEval whether it declares {@code evalAsync} (only {@code CommandAsyncService} does).
     */
    public CommandServiceInstrumentation(String className, boolean withEval) {
        this.className = className;
        this.withEval = withEval;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(
                method("async", BOOLEAN, NODE_SOURCE, CODEC, REDIS_COMMAND, OBJECTS, BOOLEAN, BOOLEAN),
                MethodAdvice.to(READ_ONLY_ADVICE, "onEnter", 0, MethodAdvice.THIS, 1, 2, 3, 4).assigning(0));
        if (withEval) {
            transformer.applyAdviceToMethod(
                    method("evalAsync", NODE_SOURCE, BOOLEAN, CODEC, REDIS_COMMAND,
                            ParameterType.named("java.lang.String"), ParameterType.named("java.util.List"), BOOLEAN,
                            OBJECTS),
                    MethodAdvice.to(EVAL_ADVICE, "onEnter", 1, MethodAdvice.THIS, 5).assigning(1));
        }
    }

    @Override
    public String toString() {
        return className;
    }

    /** Called from {@code async}; returns the {@code readOnlyMode} to use; never throws. */
    public static final class ReadOnlyAdvice {

        private ReadOnlyAdvice() {
        }

        public static boolean onEnter(boolean readOnlyMode, Object executor, Object source, Object codec,
                Object command, Object[] params) {
            try {
                return RedissonDispatch.onAsync(readOnlyMode, executor, source, codec, command, params);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return readOnlyMode;
            }
        }
    }

    /** Called from {@code evalAsync}; returns the {@code readOnlyMode} to use; never throws. */
    public static final class EvalAdvice {

        private EvalAdvice() {
        }

        public static boolean onEnter(boolean readOnlyMode, Object executor, Object keys) {
            try {
                return RedissonRouting.evalReadOnlyMode(readOnlyMode, executor, keys);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return readOnlyMode;
            }
        }
    }
}
