package io.stateguard.agent.instrumentation.lettuce;

import io.lettuce.core.protocol.RedisCommand;
import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.lettuce.LettuceGuard;
import io.stateguard.agent.routing.PrimaryRouting;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import java.util.Collection;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * A Lettuce channel writer that picks a connection by intent: {@code MasterReplicaChannelWriter}
 * (Master/Replica, static, auto-discovered or Sentinel; also behind the deprecated
 * {@code MasterSlave} entry point; {@code masterslave.MasterSlaveChannelWriter} in Lettuce 5) and
 * {@code ClusterDistributionChannelWriter}. Both expose
 * {@code write(RedisCommand)} and {@code write(Collection)}; the advice records the command being
 * written so that {@link ConnectionProviderInstrumentation} can decide its intent, and so that the
 * version guard can check its reply ({@link CommandHandlerInstrumentation}).
 *
 * <p>Sentinel uses an anonymous subclass that does not override {@code write}, so matching the
 * declaring class by name covers it.
 */
public final class ChannelWriterInstrumentation implements TypeInstrumentation {

    private final String className;

    public ChannelWriterInstrumentation(String className) {
        this.className = className;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named(className);
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(Shapes.described("write(RedisCommand)", named("write").and(takesArguments(1))
                .and(takesArgument(0, named("io.lettuce.core.protocol.RedisCommand")))),
                ChannelWriterInstrumentation.class.getName() + "$WriteCommandAdvice");
        transformer.applyAdviceToMethod(Shapes.described("write(Collection)", named("write").and(takesArguments(1))
                .and(takesArgument(0, named("java.util.Collection")))),
                ChannelWriterInstrumentation.class.getName() + "$WriteBatchAdvice");
    }

    @Override
    public String toString() {
        return className;
    }

    public static final class WriteCommandAdvice {

        private WriteCommandAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void onEnter(@Advice.This Object writer, @Advice.Argument(0) RedisCommand<?, ?, ?> command) {
            PrimaryRouting.enter(command.getType(), command.getArgs());
            LettuceGuard.onWrite(writer, command, command.getType(), command.getArgs());
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void onExit() {
            PrimaryRouting.exit();
        }
    }

    public static final class WriteBatchAdvice {

        private WriteBatchAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void onEnter(@Advice.Argument(0) Collection<?> commands) {
            PrimaryRouting.enterBatch(commands);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void onExit() {
            PrimaryRouting.exit();
        }
    }
}
