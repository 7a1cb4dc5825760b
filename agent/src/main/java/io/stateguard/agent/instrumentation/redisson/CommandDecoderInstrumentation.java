package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdviceErrors;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.ParameterType;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.instrumentation.TypeTransformer;
import io.stateguard.agent.redisson.RedissonFollowing;

import java.util.List;

import static io.stateguard.agent.instrumentation.MethodMatcher.methodStartingWith;

/**
 * {@code org.redisson.client.handler.CommandDecoder.decode(ByteBuf in, CommandData data, List parts, Channel,
 * boolean skipConvertor, List commandsData, ...)}: called on the connection's event loop for a reply and for each
 * element of an array reply, with {@code in}'s reader index where the element starts, before the command's codec
 * decodes it. The version guard reads the raw bytes of the replies it follows there. Redisson 3.30 added trailing
 * parameters (the array size, the decoder state), which the advice does not take: one matcher fits every shape.
 */
public final class CommandDecoderInstrumentation implements TypeInstrumentation {

    static final String COMMAND_DECODER = "org.redisson.client.handler.CommandDecoder";

    static final String DECODE_ADVICE = CommandDecoderInstrumentation.class.getName() + "$DecodeAdvice";

    @Override
    public String typeName() {
        return COMMAND_DECODER;
    }

    @Override
    public void transform(TypeTransformer transformer) {
        transformer.applyAdviceToMethod(
                methodStartingWith("decode", ParameterType.named("io.netty.buffer.ByteBuf"),
                        ParameterType.named("org.redisson.client.protocol.CommandData"),
                        ParameterType.named("java.util.List"), ParameterType.named("io.netty.channel.Channel"),
                        CommandServiceInstrumentation.BOOLEAN, ParameterType.named("java.util.List")),
                MethodAdvice.to(DECODE_ADVICE, "onEnter", 0, 1, 2));
    }

    @Override
    public String toString() {
        return COMMAND_DECODER;
    }

    /** Called from {@code decode}; never throws. */
    public static final class DecodeAdvice {

        private DecodeAdvice() {
        }

        public static void onEnter(Object in, Object data, List<?> parts) {
            try {
                RedissonFollowing.onDecode(in, data, parts);
            } catch (Throwable t) {
                AdviceErrors.onSuppressed(t);
            }
        }
    }
}
