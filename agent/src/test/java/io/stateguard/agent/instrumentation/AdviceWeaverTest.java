package io.stateguard.agent.instrumentation;

import io.stateguard.agent.internal.AgentLogCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.stateguard.agent.instrumentation.MethodMatcher.method;
import static io.stateguard.agent.instrumentation.ParameterType.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Weaves {@link WeaverTarget}, defines the result in its own class loader (so the JVM's verifier
 * checks the frames the weaver wrote) and runs it.
 */
class AdviceWeaverTest {

    private static final String ADVICE = RecordingAdvice.class.getName();

    @BeforeEach
    void clearTrace() {
        RecordingAdvice.TRACE.setLength(0);
    }

    @Test
    void entryAndExitAdviceRunAroundAReturnAndTheMethodsOwnHandlerKeepsPrecedence() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 0)
                        .onExit("onExit")));
        assertThat(call(target, "write", "k")).isEqualTo("written:k");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("enter(WeaverTarget,k) body(k) exit");

        RecordingAdvice.TRACE.setLength(0);
        assertThat(call(target, "write", "inner")).isEqualTo("handled");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("enter(WeaverTarget,inner) body(inner) caught exit");
    }

    @Test
    void exitAdviceRunsWhenTheMethodThrowsAndTheExceptionPassesUnchanged() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 0)
                        .onExit("onExit")));
        assertThatThrownBy(() -> call(target, "write", "outer")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outer");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("enter(WeaverTarget,outer) body(outer) exit");
    }

    @Test
    void skipOnTrueSkipsTheBodyIncludingOneThatStartsWithALoop() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(method("complete", named("java.lang.Object")),
                MethodAdvice.to(ADVICE, "skip", MethodAdvice.THIS, 0)
                        .skipOnTrue()));
        call(target, "complete", "skip");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("skip?(skip) ");
        RecordingAdvice.TRACE.setLength(0);
        call(target, "complete", "run");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("skip?(run) completed(run)");
    }

    @Test
    void aSkippedMethodReturnsTheDefaultValueOfItsType() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(method("count", named("java.lang.Object")),
                MethodAdvice.to(ADVICE, "skip", MethodAdvice.THIS, 0)
                        .skipOnTrue()));
        assertThat(call(target, "count", "skip")).isEqualTo(0L);
        assertThat(call(target, "count", "run")).isEqualTo(42L);
    }

    @Test
    void anAssigningAdviceReplacesTheArgumentAndLeavesWideNeighboursIntact() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(
                method("route", named("java.util.concurrent.TimeUnit"), ParameterType.ofDescriptor("J", "long"),
                        ParameterType.ofDescriptor("D", "double"), ParameterType.INT),
                MethodAdvice.to(ADVICE, "replace", 0).assigning(0)));
        Method route = target.getClass().getMethod("route", TimeUnit.class, long.class, double.class, int.class);
        assertThat(route.invoke(target, TimeUnit.SECONDS, 7L, 1.5, 3)).isEqualTo("DAYS/7/1.5/3");
        assertThat(route.invoke(target, TimeUnit.HOURS, 7L, 1.5, 3)).isEqualTo("HOURS/7/1.5/3");
    }

    @Test
    void anAssigningAdviceReplacesAPrimitiveArgument() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(
                method("dispatch", ParameterType.ofDescriptor("Z", "boolean"), named("java.lang.Object"),
                        ParameterType.ofDescriptor("J", "long")),
                MethodAdvice.to(ADVICE, "flag", 0, 1).assigning(0)));
        Method dispatch = target.getClass().getMethod("dispatch", boolean.class, Object.class, long.class);
        assertThat(dispatch.invoke(target, true, "state", 9L)).isEqualTo("false/state/9");
        assertThat(dispatch.invoke(target, true, "other", 9L)).isEqualTo("true/other/9");
        assertThat(dispatch.invoke(target, false, "other", 9L)).isEqualTo("false/other/9");
    }

    @Test
    void aClassWithoutMatchingMethodsIsLeftAlone() throws IOException {
        List<String> advised = new ArrayList<>();
        byte[] woven = AdviceWeaver.weave(classFile(WeaverTarget.class), List.of(new AdviceWeaver.Binding(
                method("write", named("java.lang.String")), MethodAdvice.to(ADVICE, "onExit"))),
                ClassShapes.of(getClass().getClassLoader()), advised);
        assertThat(woven).isNull();
        assertThat(advised).isEmpty();
    }

    /**
     * What Byte Buddy's advice binding would refuse is refused before weaving: the class keeps every method as
     * it is (also the method whose advice fits), the warning names the class and why, and nothing reaches the
     * verifier.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unfitAdvice")
    void adviceThatDoesNotFitItsMethodLeavesTheWholeClassUnchangedWithOneWarning(String why,
            AdviceWeaver.Binding unfit, String problem) throws IOException {
        AdviceWeaver.Binding fitting = new AdviceWeaver.Binding(method("route", named("java.util.concurrent.TimeUnit"),
                ParameterType.ofDescriptor("J", "long"), ParameterType.ofDescriptor("D", "double"), ParameterType.INT),
                MethodAdvice.to(ADVICE, "replace", 0).assigning(0));
        List<String> advised = new ArrayList<>();
        byte[] classFile = classFile(WeaverTarget.class);
        byte[][] woven = new byte[1][];
        List<String> log = AgentLogCapture.capture(() -> woven[0] = AdviceWeaver.weave(classFile,
                List.of(fitting, unfit), ClassShapes.of(getClass().getClassLoader()), advised));
        assertThat(woven[0]).as("the class is left as it is").isNull();
        assertThat(advised).isEmpty();
        assertThat(log).singleElement().asString()
                .startsWith("[stateguard] WARN StateGuard leaves io.stateguard.agent.instrumentation.WeaverTarget"
                        + " unchanged: its advice does not fit (")
                .contains(problem);
    }

    static Stream<Arguments> unfitAdvice() {
        return Stream.of(
                Arguments.of("this of a static method", new AdviceWeaver.Binding(method("parse", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 0)),
                        "parse(Ljava/lang/Object;)Ljava/lang/String;: RecordingAdvice.onEnter(Ljava/lang/Object;"
                                + "Ljava/lang/Object;)V is passed 'this' of a static method"),
                Arguments.of("a narrower parameter type", new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "typed", MethodAdvice.THIS, 0)),
                        "takes Ljava/lang/Integer; for parameter 0 of type Ljava/lang/Object;"),
                Arguments.of("skip without a boolean", new AdviceWeaver.Binding(method("complete", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 0).skipOnTrue()),
                        "must return boolean to skip the method"),
                Arguments.of("assigning a primitive", new AdviceWeaver.Binding(method("count", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "skip", MethodAdvice.THIS, 0).assigning(0)),
                        "returns Z, not a value for parameter 0"),
                Arguments.of("assigning a primitive of another type", new AdviceWeaver.Binding(method("dispatch",
                        ParameterType.ofDescriptor("Z", "boolean"), named("java.lang.Object"),
                        ParameterType.ofDescriptor("J", "long")),
                        MethodAdvice.to(ADVICE, "flag", 0, 1).assigning(2)),
                        "returns Z, not a value for parameter 2 (J)"),
                Arguments.of("no such entry method", new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "absent", 0)),
                        "RecordingAdvice declares no public static absent"),
                Arguments.of("an overloaded entry method", new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "overloaded", 0)),
                        "declares more than one public static overloaded"),
                Arguments.of("too few arguments", new AdviceWeaver.Binding(method("write", named("java.lang.Object")),
                        MethodAdvice.to(ADVICE, "onEnter", 0)),
                        "takes 2 arguments, the advice passes 1"),
                Arguments.of("a parameter the method does not have", new AdviceWeaver.Binding(method("write",
                        named("java.lang.Object")), MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 1)),
                        "is passed parameter 1 of a method with 1"),
                Arguments.of("an exit method that is not ()V", new AdviceWeaver.Binding(method("write",
                        named("java.lang.Object")), MethodAdvice.to(ADVICE, "onEnter", MethodAdvice.THIS, 0).onExit("skip")),
                        "RecordingAdvice declares no public static void skip()"));
    }

    @Test
    void theMatcherReadsLikeTheMethodItLooksFor() {
        assertThat(method("getConnectionAsync", named("io.lettuce.core.protocol.ConnectionIntent"), ParameterType.INT))
                .hasToString("getConnectionAsync(ConnectionIntent, int)");
    }

    private static Object call(Object target, String name, Object argument) throws Exception {
        try {
            return target.getClass().getMethod(name, Object.class).invoke(target, argument);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /** An instance of {@link WeaverTarget} woven with {@code binding}, defined (and so verified) in a class loader of its own. */
    private Object woven(AdviceWeaver.Binding binding) throws Exception {
        List<String> advised = new ArrayList<>();
        byte[] woven = AdviceWeaver.weave(classFile(WeaverTarget.class), List.of(binding),
                ClassShapes.of(getClass().getClassLoader()), advised);
        assertThat(woven).isNotNull();
        assertThat(advised).hasSize(1);
        Class<?> type = DefiningClassLoader.defineAndLink(getClass().getClassLoader(), WeaverTarget.class.getName(), woven);
        return type.getConstructor().newInstance();
    }

    static byte[] classFile(Class<?> type) throws IOException {
        return DefiningClassLoader.classFile(type.getName());
    }
}
