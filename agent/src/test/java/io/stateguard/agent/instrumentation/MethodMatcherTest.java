package io.stateguard.agent.instrumentation;

import io.stateguard.agent.instrumentation.redisson.CommandDecoderInstrumentation;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;
import static io.stateguard.agent.instrumentation.MethodMatcher.methodStartingWith;
import static io.stateguard.agent.instrumentation.ParameterType.named;
import static org.assertj.core.api.Assertions.assertThat;

/** Which declared methods a matcher picks, from their names and descriptors alone. */
class MethodMatcherTest {

    private static final ParameterType BOOLEAN = ParameterType.ofDescriptor("Z", "boolean");

    private static final ParameterType BYTES = ParameterType.ofDescriptor("[B", "byte[]");

    /** Redisson 3.16.8's {@code CommandDecoder.decode(ByteBuf, CommandData, List, Channel, boolean, List)}. */
    private static final String DECODE_3_16 =
            "(Lio/netty/buffer/ByteBuf;Lorg/redisson/client/protocol/CommandData;Ljava/util/List;"
                    + "Lio/netty/channel/Channel;ZLjava/util/List;)V";

    /** Redisson 3.52's: the same parameters, then {@code long, State}. */
    private static final String DECODE_3_52 =
            "(Lio/netty/buffer/ByteBuf;Lorg/redisson/client/protocol/CommandData;Ljava/util/List;"
                    + "Lio/netty/channel/Channel;ZLjava/util/List;JLorg/redisson/client/handler/State;)V";

    private static final MethodMatcher DECODE = methodStartingWith("decode", named("io.netty.buffer.ByteBuf"),
            named("org.redisson.client.protocol.CommandData"), named("java.util.List"),
            named("io.netty.channel.Channel"), BOOLEAN, named("java.util.List"));

    // --- method: exactly these parameters -------------------------------------------------------

    @Test
    void anExactMatcherTakesOnlyThatNameAndExactlyThoseParameters() {
        MethodMatcher write = method("write", named("java.lang.Object"), ParameterType.INT);
        assertThat(write.matches("write", "(Ljava/lang/Object;I)V", null)).isTrue();
        assertThat(write.matches("write", "(Ljava/lang/Object;I)Ljava/lang/Object;", null))
                .as("the return type is not looked at").isTrue();
        assertThat(write.matches("write", "(Ljava/lang/Object;IZ)V", null)).as("one more").isFalse();
        assertThat(write.matches("write", "(Ljava/lang/Object;)V", null)).as("one fewer").isFalse();
        assertThat(write.matches("write", "(ILjava/lang/Object;)V", null)).as("another order").isFalse();
        assertThat(write.matches("writer", "(Ljava/lang/Object;I)V", null)).isFalse();
        assertThat(write.matches("Write", "(Ljava/lang/Object;I)V", null)).isFalse();
    }

    @Test
    void anExactMatcherWithoutParametersTakesOnlyANoArgumentMethod() {
        MethodMatcher close = method("close");
        assertThat(close.matches("close", "()V", null)).isTrue();
        assertThat(close.matches("close", "(Z)V", null)).isFalse();
        assertThat(close).hasToString("close()");
    }

    // --- methodStartingWith: these parameters, then any ---------------------------------------------

    @Test
    void aLeadingMatcherTakesTheParametersAloneAndWithAnyTrailingOnes() {
        MethodMatcher matcher = methodStartingWith("route", named("java.lang.Object"), ParameterType.INT);
        assertThat(matcher.matches("route", "(Ljava/lang/Object;I)V", null)).as("exactly the leading ones").isTrue();
        assertThat(matcher.matches("route", "(Ljava/lang/Object;IZ)V", null)).as("a primitive after").isTrue();
        assertThat(matcher.matches("route", "(Ljava/lang/Object;IJD)V", null)).as("two-slot primitives after")
                .isTrue();
        assertThat(matcher.matches("route", "(Ljava/lang/Object;I[[Ljava/lang/String;[J)V", null))
                .as("arrays after").isTrue();
        assertThat(matcher.matches("route", "(Ljava/lang/Object;ILjava/lang/Object;Ljava/lang/Object;)I", null))
                .as("objects after, any return type").isTrue();
    }

    @Test
    void aLeadingMatcherRefusesFewerParametersAnotherNameOrOtherLeadingTypes() {
        MethodMatcher matcher = methodStartingWith("route", named("java.lang.Object"), ParameterType.INT);
        assertThat(matcher.matches("route", "(Ljava/lang/Object;)V", null)).as("one fewer").isFalse();
        assertThat(matcher.matches("route", "()V", null)).as("none").isFalse();
        assertThat(matcher.matches("router", "(Ljava/lang/Object;I)V", null)).as("a longer name").isFalse();
        assertThat(matcher.matches("rout", "(Ljava/lang/Object;IZ)V", null)).as("a shorter name").isFalse();
        assertThat(matcher.matches("route", "(Ljava/lang/String;I)V", null)).as("another first type").isFalse();
        assertThat(matcher.matches("route", "(Ljava/lang/Object;J)V", null)).as("another last leading type")
                .isFalse();
        assertThat(matcher.matches("route", "(ILjava/lang/Object;)V", null)).as("the same types swapped").isFalse();
        assertThat(matcher.matches("route", "(ZLjava/lang/Object;I)V", null)).as("a parameter before").isFalse();
        assertThat(matcher.matches("route", "([Ljava/lang/Object;I)V", null)).as("an array of the type").isFalse();
    }

    @Test
    void aLeadingMatcherWithoutParametersTakesEveryMethodOfThatName() {
        MethodMatcher any = methodStartingWith("send");
        assertThat(any.matches("send", "()V", null)).isTrue();
        assertThat(any.matches("send", "([BIJ)Z", null)).isTrue();
        assertThat(any.matches("sender", "()V", null)).isFalse();
    }

    @Test
    void theRedissonDecoderMatcherTakesTheDecodeOfEveryVersionAndNothingElse() {
        assertThat(DECODE.matches("decode", DECODE_3_16, null)).as("3.16.8").isTrue();
        assertThat(DECODE.matches("decode", DECODE_3_52, null)).as("3.52: long, State after").isTrue();
        assertThat(DECODE.matches("decode",
                "(Lio/netty/channel/ChannelHandlerContext;Lio/netty/buffer/ByteBuf;Ljava/util/List;)V", null))
                .as("ReplayingDecoder's decode").isFalse();
        assertThat(DECODE.matches("decode", "(Lio/netty/channel/ChannelHandlerContext;Lio/netty/buffer/ByteBuf;"
                + "Lorg/redisson/client/protocol/QueueCommand;I)V", null)).as("the private decode").isFalse();
        assertThat(DECODE.matches("decodeList", "(Lio/netty/buffer/ByteBuf;Lorg/redisson/client/protocol/CommandData;"
                + "Ljava/util/List;Lio/netty/channel/Channel;JLjava/util/List;ZLjava/util/List;)V", null))
                .as("decodeList").isFalse();
        assertThat(DECODE.matches("decode", "(Lio/netty/buffer/ByteBuf;Lorg/redisson/client/protocol/CommandData;"
                + "Ljava/util/List;Lio/netty/channel/Channel;Z)V", null)).as("one parameter short").isFalse();
    }

    @Test
    void theDecoderInstrumentationFindsExactlyOneMethodInTheRealCommandDecoder() throws IOException {
        List<MethodMatcher> matchers = new ArrayList<>();
        new CommandDecoderInstrumentation().transform((matcher, advice) -> matchers.add(matcher));
        assertThat(matchers).hasSize(1);
        List<String> matched = new ArrayList<>();
        for (String[] declared : declaredMethods("org/redisson/client/handler/CommandDecoder")) {
            if (matchers.get(0).matches(declared[0], declared[1], null)) {
                matched.add(declared[0] + declared[1]);
            }
        }
        assertThat(matched).containsExactly("decode" + DECODE_3_16);
        assertThat(matchers.get(0)).hasToString(DECODE.toString());
    }

    // --- toString --------------------------------------------------------------------------------

    @Test
    void aLeadingMatcherReadsWithAnEllipsisAfterItsParameters() {
        assertThat(DECODE).hasToString("decode(ByteBuf, CommandData, List, Channel, boolean, List, ...)");
        assertThat(methodStartingWith("write", BYTES)).hasToString("write(byte[], ...)");
        assertThat(method("write", BYTES)).hasToString("write(byte[])");
        assertThat(DECODE.toString()).endsWith(", ...)");
    }

    @Test
    void aLeadingMatcherWithoutParametersReadsAsAnyParameters() {
        assertThat(methodStartingWith("send")).hasToString("send(...)");
    }

    @Test
    void aDescriptionReplacesTheTextButNotWhatIsMatched() {
        MethodMatcher described = DECODE.describedAs("CommandDecoder.decode");
        assertThat(described).hasToString("CommandDecoder.decode");
        assertThat(described.matches("decode", DECODE_3_52, null)).as("still leading").isTrue();
        assertThat(described.matches("decode", DECODE_3_16, null)).isTrue();
        MethodMatcher exact = method("decode", named("io.netty.buffer.ByteBuf")).describedAs("exact");
        assertThat(exact.matches("decode", "(Lio/netty/buffer/ByteBuf;Z)V", null)).as("still exact").isFalse();
    }

    @Test
    void theMatcherKeepsItsOwnCopyOfTheParameters() {
        ParameterType[] parameters = {ParameterType.INT};
        MethodMatcher matcher = methodStartingWith("count", parameters);
        parameters[0] = BOOLEAN;
        assertThat(matcher.matches("count", "(I)V", null)).isTrue();
        assertThat(matcher.matches("count", "(Z)V", null)).isFalse();
    }

    /** Name and descriptor of each method the class file on the test class path declares. */
    private static List<String[]> declaredMethods(String internalName) throws IOException {
        List<String[]> methods = new ArrayList<>();
        try (InputStream in = MethodMatcherTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertThat(in).as(internalName).isNotNull();
            new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    methods.add(new String[] {name, descriptor});
                    return null;
                }
            }, ClassReader.SKIP_CODE);
        }
        return methods;
    }
}
