package io.stateguard.agent.bootstrap;

import io.stateguard.agent.instrumentation.ClassLoaderMatchers;
import io.stateguard.agent.instrumentation.InstrumentationModule;
import io.stateguard.agent.instrumentation.ModuleSelector;
import io.stateguard.agent.instrumentation.Shapes;
import io.stateguard.agent.instrumentation.lettuce.LettuceInstrumentationModule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which Lettuce module applies to a class loader, decided from the classes it has and their shape,
 * against the Lettuce the agent compiles its advice against (the test class path's). The other
 * versions are covered end to end by the integration tests' version matrix.
 */
class LettuceModuleSelectionTest {

    private final ClassLoader loader = LettuceModuleSelectionTest.class.getClassLoader();

    @Test
    void theCompileTimeLettuceHasTheShapeOfTheLettuce6PlusModuleIncludingTheGuardsCommandHandler() {
        assertThat(Shapes.problems(LettuceInstrumentationModule.lettuce6Plus(true), loader)).isEmpty();
    }

    @Test
    void theLettuce5ModuleDoesNotApplyWhereTheMasterReplicaClassesExist() {
        assertThat(LettuceInstrumentationModule.lettuce5(false).classLoaderMatcher().matches(loader)).isFalse();
        assertThat(LettuceInstrumentationModule.lettuce6Plus(false).classLoaderMatcher().matches(loader)).isTrue();
    }

    @Test
    void theSelectorChoosesExactlyOneModuleAndRemembersTheChoice() {
        List<InstrumentationModule> modules = LettuceInstrumentationModule.all(false);
        ModuleSelector selector = new ModuleSelector("Lettuce", LettuceInstrumentationModule.LETTUCE_PROBE_CLASS,
                LettuceInstrumentationModule.SUPPORTED_VERSIONS, modules, ClassLoaderMatchers.any());
        InstrumentationModule chosen = selector.select(loader);
        assertThat(chosen).isNotNull();
        assertThat(chosen.name()).isEqualTo("lettuce-6+");
        assertThat(selector.select(loader)).isSameAs(chosen);
    }

    @Test
    void aClassLoaderThatCannotSeeTheAgentGetsNoModule() {
        ModuleSelector selector = new ModuleSelector("Lettuce", LettuceInstrumentationModule.LETTUCE_PROBE_CLASS,
                LettuceInstrumentationModule.SUPPORTED_VERSIONS, LettuceInstrumentationModule.all(false),
                ClassLoaderMatchers.none());
        assertThat(selector.select(loader)).isNull();
    }

    @Test
    void aClassLoaderWithoutLettuceGetsNoModule() {
        ModuleSelector selector = new ModuleSelector("Lettuce", LettuceInstrumentationModule.LETTUCE_PROBE_CLASS,
                LettuceInstrumentationModule.SUPPORTED_VERSIONS, LettuceInstrumentationModule.all(false),
                ClassLoaderMatchers.any());
        assertThat(selector.select(ClassLoader.getPlatformClassLoader())).isNull();
    }
}
