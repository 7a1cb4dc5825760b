package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdviceWeaver;
import io.stateguard.agent.instrumentation.ClassShapes;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.TypeInstrumentation;
import io.stateguard.agent.testapp.ClientJarLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redisson advice against real Redisson classes: for each Redisson of the integration tests' version matrix
 * (its jar copied to {@code target/redisson-jars} by the build) the agent selects {@code redisson-3.16.8+}, every
 * advice finds and fits its method, and every instrumented class, woven, passes the JVM's verifier; for 3.16.7,
 * whose {@code async} has another shape, it selects nothing. The matrix then runs them end to end.
 */
class RedissonWeavingTest {

    private static Path jar(String version) {
        Path jar = Paths.get(System.getProperty("stateguard.redisson.jars", "target/redisson-jars"))
                .resolve("redisson-" + version + ".jar");
        assertThat(jar).as("copied by the build (maven-dependency-plugin, redisson-matrix-jars)").isRegularFile();
        return jar;
    }

    @ParameterizedTest(name = "Redisson {0}")
    @ValueSource(strings = {"3.16.8", "3.52.0", "4.0.0"})
    void theModuleIsWovenIntoEachVersionsClassesAndPassesTheVerifier(String version) throws Exception {
        Path jar = jar(version);
        try (ClientJarLoader redisson = redissonLoader(jar, Map.of())) {
            assertThat(Shapes.problems(new RedissonInstrumentationModule(true, true), redisson))
                    .as("every advice of the module for Redisson " + version + " finds and fits its method").isEmpty();
            InstrumentationModule module = RedissonInstrumentationModule.selector(true, true).select(redisson);
            assertThat(module).as("the module for Redisson " + version).isNotNull();
            assertThat(module.name()).isEqualTo("redisson-3.16.8+");
            assertThat(Shapes.problems(module, redisson)).as("every advice finds and fits its method").isEmpty();
            for (TypeInstrumentation type : module.typeInstrumentations()) {
                List<AdviceWeaver.Binding> bindings = AdviceWeaver.bindings(type);
                List<String> advised = new ArrayList<>();
                byte[] woven = AdviceWeaver.weave(redisson.classFile(type.typeName()), bindings,
                        ClassShapes.of(redisson), advised);
                assertThat(woven).as(type.typeName() + " of " + version).isNotNull();
                assertThat(advised).as(type.typeName() + " of " + version).hasSameSizeAs(bindings);
                try (ClientJarLoader defining = redissonLoader(jar, Map.of(type.typeName(), woven))) {
                    Class<?> loaded = defining.loadClass(type.typeName());
                    assertThat(loaded.getClassLoader()).isSameAs(defining);
                    loaded.getDeclaredMethods(); // links, so the verifier checks the woven code now
                }
            }
        }
    }

    @Test
    void redissonBeforeTheSupportedRangeGetsNoModule() throws Exception {
        try (ClientJarLoader redisson = redissonLoader(jar("3.16.7"), Map.of())) {
            assertThat(RedissonInstrumentationModule.selector(true, true).select(redisson)).isNull();
        }
    }

    /** Child first for {@code org.redisson}, from one jar (or the given class files); everything else from the parent. */
    private static ClientJarLoader redissonLoader(Path jar, Map<String, byte[]> replaced) throws IOException {
        return new ClientJarLoader(jar, RedissonWeavingTest.class.getClassLoader(), replaced, "org.redisson.");
    }
}
