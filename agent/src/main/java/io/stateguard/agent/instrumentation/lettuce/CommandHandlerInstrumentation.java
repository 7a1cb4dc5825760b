package io.stateguard.agent.instrumentation.lettuce;

import io.lettuce.core.protocol.RedisCommand;
import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.lettuce.LettuceCompletion;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;
import static io.stateguard.agent.instrumentation.ParameterType.named;

/**
 * {@code io.lettuce.core.protocol.CommandHandler.complete(RedisCommand)}: called on the connection's
 * event loop once a reply is decoded, before the application's future, publisher or sync call sees
 * it. The version guard inspects replies of the commands it registered there and may take over the
 * completion (to re-read on the primary, or to fail the command). Same shape from Lettuce 5.3 to 7.x.
 */
public final class CommandHandlerInstrumentation implements TypeInstrumentation {

    static final String COMPLETE_ADVICE = CommandHandlerInstrumentation.class.getName() + "$CompleteAdvice";

    @Override
    public String typeName() {
        return LettuceInstrumentationModule.COMMAND_HANDLER;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(method("complete", named(LettuceInstrumentationModule.REDIS_COMMAND)),
                MethodAdvice.to(COMPLETE_ADVICE, "onEnter",
                        MethodAdvice.THIS, 0).skipOnTrue());
    }

    @Override
    public String toString() {
        return LettuceInstrumentationModule.COMMAND_HANDLER;
    }

    /** Called from {@code complete(RedisCommand)}; never throws. */
    public static final class CompleteAdvice {

        private CompleteAdvice() {
        }

        /** Returns {@code true} to skip Lettuce's own completion: the guard completes the command later. */
        public static boolean onEnter(Object handler, RedisCommand<?, ?, ?> command) {
            try {
                return LettuceCompletion.onComplete(handler, command);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
                return false;
            }
        }
    }
}
