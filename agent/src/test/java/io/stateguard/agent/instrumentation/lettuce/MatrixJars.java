package io.stateguard.agent.instrumentation.lettuce;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Lettuce jars of the integration tests' version matrix, copied to {@code target/lettuce-jars} by the build. */
final class MatrixJars {

    private MatrixJars() {
    }

    /** For {@code @MethodSource("io.stateguard.agent.instrumentation.lettuce.MatrixJars#versions")}. */
    static Stream<String> versions() {
        return Stream.of("5.3.7.RELEASE", "6.1.10.RELEASE", "6.3.2.RELEASE", "6.5.5.RELEASE", "6.8.2.RELEASE",
                "7.7.0.RELEASE");
    }

    /** The jar of {@code version}; fails when the build did not copy it. */
    static Path jar(String version) {
        Path jar = Paths.get(System.getProperty("stateguard.lettuce.jars", "target/lettuce-jars"))
                .resolve("lettuce-core-" + version + ".jar");
        assertThat(jar).as("copied by the build (maven-dependency-plugin, lettuce-matrix-jars)").isRegularFile();
        return jar;
    }
}
