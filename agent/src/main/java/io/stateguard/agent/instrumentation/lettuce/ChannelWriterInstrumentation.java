package io.stateguard.agent.instrumentation.lettuce;

import io.lettuce.core.protocol.RedisCommand;
import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.lettuce.LettuceDispatch;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;
import static io.stateguard.agent.instrumentation.ParameterType.named;

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

    static final String WRITE_COMMAND_ADVICE = ChannelWriterInstrumentation.class.getName() + "$WriteCommandAdvice";
    static final String WRITE_BATCH_ADVICE = ChannelWriterInstrumentation.class.getName() + "$WriteBatchAdvice";

    private final String className;

    public ChannelWriterInstrumentation(String className) {
        this.className = className;
    }

    @Override
    public String typeName() {
        return className;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(method("write", named(LettuceInstrumentationModule.REDIS_COMMAND)),
                MethodAdvice.to(WRITE_COMMAND_ADVICE, "onEnter", MethodAdvice.THIS, 0)
                        .onExit("onExit"));
        transformer.applyAdviceToMethod(method("write", named("java.util.Collection")),
                MethodAdvice.to(WRITE_BATCH_ADVICE, "onEnter", MethodAdvice.THIS, 0).onExit("onExit"));
    }

    @Override
    public String toString() {
        return className;
    }

    /** Called from {@code write(RedisCommand)}; never throws. */
    public static final class WriteCommandAdvice {

        private WriteCommandAdvice() {
        }

        public static void onEnter(Object writer, RedisCommand<?, ?, ?> command) {
            try {
                LettuceDispatch.onWrite(writer, command);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
            }
        }

        public static void onExit() {
            try {
                LettuceDispatch.onWriteExit();
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
            }
        }
    }

    /** Called from {@code write(Collection)}; never throws. */
    public static final class WriteBatchAdvice {

        private WriteBatchAdvice() {
        }

        public static void onEnter(Object writer, java.util.Collection<?> commands) {
            try {
                LettuceDispatch.onWriteBatch(writer, commands);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
            }
        }

        public static void onExit() {
            try {
                LettuceDispatch.onWriteExit();
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
            }
        }
    }
}
