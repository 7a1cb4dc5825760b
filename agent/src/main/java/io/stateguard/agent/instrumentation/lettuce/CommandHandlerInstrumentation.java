package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.lettuce.LettuceGuard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * {@code io.lettuce.core.protocol.CommandHandler.complete(RedisCommand)}: called on the connection's
 * event loop once a reply is decoded, before the application's future, publisher or sync call sees
 * it. The version guard inspects replies of the commands it registered there and may take over the
 * completion (to re-read on the primary, or to fail the command). Same shape from Lettuce 5.3 to 7.x.
 */
public final class CommandHandlerInstrumentation implements TypeInstrumentation {

    static final String COMMAND_HANDLER = LettuceClasses.COMMAND_HANDLER;

    @Override
    public String typeName() {
        return COMMAND_HANDLER;
    }

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named(COMMAND_HANDLER);
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(Shapes.described("complete(RedisCommand)", named("complete")
                .and(takesArguments(1)).and(takesArgument(0, named("io.lettuce.core.protocol.RedisCommand")))),
                CommandHandlerInstrumentation.class.getName() + "$CompleteAdvice");
    }

    @Override
    public String toString() {
        return COMMAND_HANDLER;
    }

    public static final class CompleteAdvice {

        private CompleteAdvice() {
        }

        /** Returns {@code true} to skip Lettuce's own completion: the guard completes the command later. */
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        public static boolean onEnter(@Advice.This Object handler, @Advice.Argument(0) Object command) {
            return LettuceGuard.onComplete(handler, command);
        }
    }
}
