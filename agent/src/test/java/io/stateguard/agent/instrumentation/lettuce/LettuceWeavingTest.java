package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.AdviceWeaver;
import io.stateguard.agent.instrumentation.ClassShapes;
import io.stateguard.agent.instrumentation.DefiningClassLoader;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lettuce advice against the Lettuce the agent compiles against (the test class path's): every advice
 * method exists with the descriptor its {@link MethodAdvice} names, and every instrumented class, woven, passes
 * the JVM's verifier. The other versions are woven and run end to end by the integration tests' version matrix.
 */
class LettuceWeavingTest {

    private final ClassLoader loader = LettuceWeavingTest.class.getClassLoader();

    @Test
    void everyAdviceNamesAStaticMethodWithItsExactDescriptor() throws Exception {
        for (TypeInstrumentation type : LettuceInstrumentationModule.lettuce6Plus(true).typeInstrumentations()) {
            for (AdviceWeaver.Binding binding : AdviceWeaver.bindings(type)) {
                MethodAdvice advice = binding.advice();
                Class<?> adviceClass = Class.forName(advice.adviceClass(), false, loader);
                List<String> declared = new ArrayList<>();
                for (Method method : adviceClass.getDeclaredMethods()) {
                    if (Modifier.isStatic(method.getModifiers()) && Modifier.isPublic(method.getModifiers())) {
                        declared.add(method.getName() + descriptor(method));
                    }
                }
                assertThat(declared).as("advice of " + binding).containsAll(expected(advice));
            }
        }
    }

    @Test
    void everyInstrumentedClassWovenPassesTheVerifier() throws Exception {
        InstrumentationModule module = LettuceInstrumentationModule.lettuce6Plus(true);
        assertThat(module.typeInstrumentations()).hasSize(5);
        for (TypeInstrumentation type : module.typeInstrumentations()) {
            List<String> advised = new ArrayList<>();
            List<AdviceWeaver.Binding> bindings = AdviceWeaver.bindings(type);
            byte[] woven = AdviceWeaver.weave(DefiningClassLoader.classFile(type.typeName()), bindings,
                    ClassShapes.of(loader), advised);
            assertThat(woven).as(type.typeName()).isNotNull();
            assertThat(advised).as(type.typeName()).hasSameSizeAs(bindings);
            DefiningClassLoader.defineAndLink(loader, "io.lettuce.core.", type.typeName(),
                    Map.of(type.typeName(), woven));
        }
    }

    private static List<String> expected(MethodAdvice advice) {
        List<String> methods = new ArrayList<>();
        methods.add(advice.enterMethod() + advice.enterDescriptor());
        if (advice.exitMethod() != null) {
            methods.add(advice.exitMethod() + "()V");
        }
        return methods;
    }

    private static String descriptor(Method method) {
        StringBuilder descriptor = new StringBuilder("(");
        for (Class<?> parameter : method.getParameterTypes()) {
            descriptor.append(descriptor(parameter));
        }
        return descriptor.append(')').append(descriptor(method.getReturnType())).toString();
    }

    private static String descriptor(Class<?> type) {
        return java.lang.invoke.MethodType.methodType(type).toMethodDescriptorString().substring(2);
    }
}
