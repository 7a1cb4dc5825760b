package io.stateguard.agent.instrumentation.lettuce;

import io.stateguard.agent.instrumentation.AdapterLinkage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classes defined beside Lettuce (the adapter, the advice, {@code StaleStateException}) are compiled
 * against one Lettuce and run against every Lettuce of the version matrix. A method or class that one
 * version lacks links only when first called, deep in a rare path, as a {@code NoSuchMethodError} that
 * the agent swallows and counts: the check is silently off. This test resolves every Lettuce class,
 * method and field those classes refer to against the real jar of each version, as the JVM's linker
 * would (see {@link AdapterLinkage}), so such a reference fails here instead.
 */
class AdapterLinkageTest {

    @ParameterizedTest(name = "Lettuce {0}")
    @MethodSource("io.stateguard.agent.instrumentation.lettuce.MatrixJars#versions")
    void everyLettuceReferenceOfTheClassesDefinedBesideLettuceResolves(String version) throws Exception {
        List<String> unresolved = AdapterLinkage.unresolved(
                AdapterLinkage.classesIn("lettuce", "instrumentation/lettuce", "api"),
                List.of(MatrixJars.jar(version)), "io/lettuce/");
        assertThat(unresolved).as("references that Lettuce " + version + " cannot link").isEmpty();
    }
}
