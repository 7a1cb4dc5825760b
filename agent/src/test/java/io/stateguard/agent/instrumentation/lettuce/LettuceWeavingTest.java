package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.AdviceWeaver;
import io.stateguard.agent.instrumentation.ClassShapes;
import io.stateguard.agent.instrumentation.DefiningClassLoader;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.MethodAdvice;
import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.testapp.ClientJarLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lettuce advice against real Lettuce classes: every advice method exists as its {@link MethodAdvice} names
 * it, and for each Lettuce of the integration tests' version matrix (its jar copied to {@code target/lettuce-jars}
 * by the build), the module the agent selects for it fits every advised method and every instrumented class,
 * woven, passes the JVM's verifier. The version matrix then runs them end to end.
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

    @ParameterizedTest(name = "Lettuce {0}")
    @MethodSource("io.stateguard.agent.instrumentation.lettuce.MatrixJars#versions")
    void theSelectedModuleIsWovenIntoEachVersionsClassesAndPassesTheVerifier(String version) throws Exception {
        Path jar = MatrixJars.jar(version);
        try (ClientJarLoader lettuce = new ClientJarLoader(jar, LettuceWeavingTest.class.getClassLoader(), Map.of())) {
            InstrumentationModule module = LettuceInstrumentationModule.selector(true).select(lettuce);
            assertThat(module).as("the module for Lettuce " + version).isNotNull();
            assertThat(module.name()).isEqualTo(version.startsWith("5.") ? "lettuce-5" : "lettuce-6+");
            assertThat(Shapes.problems(module, lettuce)).as("every advice finds and fits its method").isEmpty();
            for (TypeInstrumentation type : module.typeInstrumentations()) {
                List<AdviceWeaver.Binding> bindings = AdviceWeaver.bindings(type);
                List<String> advised = new ArrayList<>();
                byte[] woven = AdviceWeaver.weave(lettuce.classFile(type.typeName()), bindings,
                        ClassShapes.of(lettuce), advised);
                assertThat(woven).as(type.typeName() + " of " + version).isNotNull();
                assertThat(advised).as(type.typeName() + " of " + version).hasSameSizeAs(bindings);
                try (ClientJarLoader defining = new ClientJarLoader(jar, LettuceWeavingTest.class.getClassLoader(),
                        Map.of(type.typeName(), woven))) {
                    Class<?> loaded = defining.loadClass(type.typeName());
                    assertThat(loaded.getClassLoader()).isSameAs(defining);
                    loaded.getDeclaredMethods(); // links, so the verifier checks the woven code now
                }
            }
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
