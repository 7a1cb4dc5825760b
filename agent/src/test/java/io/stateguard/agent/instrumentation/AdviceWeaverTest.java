package io.stateguard.agent.instrumentation;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
                MethodAdvice.to(ADVICE, "onEnter", "(Ljava/lang/Object;Ljava/lang/Object;)V", MethodAdvice.THIS, 0)
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
                MethodAdvice.to(ADVICE, "onEnter", "(Ljava/lang/Object;Ljava/lang/Object;)V", MethodAdvice.THIS, 0)
                        .onExit("onExit")));
        assertThatThrownBy(() -> call(target, "write", "outer")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outer");
        assertThat(RecordingAdvice.TRACE.toString()).isEqualTo("enter(WeaverTarget,outer) body(outer) exit");
    }

    @Test
    void skipOnTrueSkipsTheBodyIncludingOneThatStartsWithALoop() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(method("complete", named("java.lang.Object")),
                MethodAdvice.to(ADVICE, "skip", "(Ljava/lang/Object;Ljava/lang/Object;)Z", MethodAdvice.THIS, 0)
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
                MethodAdvice.to(ADVICE, "skip", "(Ljava/lang/Object;Ljava/lang/Object;)Z", MethodAdvice.THIS, 0)
                        .skipOnTrue()));
        assertThat(call(target, "count", "skip")).isEqualTo(0L);
        assertThat(call(target, "count", "run")).isEqualTo(42L);
    }

    @Test
    void anAssigningAdviceReplacesTheArgumentAndLeavesWideNeighboursIntact() throws Exception {
        Object target = woven(new AdviceWeaver.Binding(
                method("route", named("java.util.concurrent.TimeUnit"), ParameterType.ofDescriptor("J", "long"),
                        ParameterType.ofDescriptor("D", "double"), ParameterType.INT),
                MethodAdvice.to(ADVICE, "replace", "(Ljava/lang/Object;)Ljava/lang/Object;", 0).assigning(0)));
        Method route = target.getClass().getMethod("route", TimeUnit.class, long.class, double.class, int.class);
        assertThat(route.invoke(target, TimeUnit.SECONDS, 7L, 1.5, 3)).isEqualTo("DAYS/7/1.5/3");
        assertThat(route.invoke(target, TimeUnit.HOURS, 7L, 1.5, 3)).isEqualTo("HOURS/7/1.5/3");
    }

    @Test
    void aClassWithoutMatchingMethodsIsLeftAlone() throws IOException {
        List<String> advised = new ArrayList<>();
        byte[] woven = AdviceWeaver.weave(classFile(WeaverTarget.class), List.of(new AdviceWeaver.Binding(
                method("write", named("java.lang.String")), MethodAdvice.to(ADVICE, "onExit", "()V"))),
                ClassShapes.of(getClass().getClassLoader()), advised);
        assertThat(woven).isNull();
        assertThat(advised).isEmpty();
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
