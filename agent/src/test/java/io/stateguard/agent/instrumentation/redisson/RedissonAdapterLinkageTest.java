package io.stateguard.agent.instrumentation.redisson;

import io.stateguard.agent.instrumentation.AdapterLinkage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classes defined beside Redisson (the adapter and the advice) are compiled against one Redisson and run
 * against every Redisson of the version matrix, whose packages move between versions. A class or method that one
 * version lacks links only when first used, deep in a rare path, as a {@code NoClassDefFoundError} or
 * {@code NoSuchMethodError} that the agent swallows and counts: the check is silently off. This test resolves
 * every Redisson class, method and field those classes refer to against the real jar of each version, and every
 * Netty one against the Netty that version declares, as the JVM's linker would (see {@link AdapterLinkage}).
 */
class RedissonAdapterLinkageTest {

    private static final String[] FOLDERS = {"redisson", "instrumentation/redisson"};

    private static Path jar(String name) {
        Path jar = Paths.get(System.getProperty("stateguard.redisson.jars", "target/redisson-jars")).resolve(name);
        assertThat(jar).as("copied by the build (maven-dependency-plugin, redisson-matrix-jars)").isRegularFile();
        return jar;
    }

    @ParameterizedTest(name = "Redisson {0}")
    @CsvSource({"3.16.8", "3.52.0", "4.0.0"})
    void everyRedissonReferenceOfTheClassesDefinedBesideRedissonResolves(String version) throws Exception {
        List<String> unresolved = AdapterLinkage.unresolved(AdapterLinkage.classesIn(FOLDERS),
                List.of(jar("redisson-" + version + ".jar")), "org/redisson/");
        assertThat(unresolved).as("references that Redisson " + version + " cannot link").isEmpty();
    }

    /** The Netty of each Redisson: the {@code netty-bom} version its parent POM declares. */
    @ParameterizedTest(name = "Redisson {0}, Netty {1}")
    @CsvSource({"3.16.8, 4.1.73.Final", "3.52.0, 4.1.127.Final", "4.0.0, 4.2.9.Final"})
    void everyNettyReferenceOfTheClassesDefinedBesideRedissonResolves(String version, String netty)
            throws Exception {
        List<String> unresolved = AdapterLinkage.unresolved(AdapterLinkage.classesIn(FOLDERS),
                List.of(jar("netty-buffer-" + netty + ".jar"), jar("netty-common-" + netty + ".jar")), "io/netty/");
        assertThat(unresolved).as("references that Netty " + netty + " (Redisson " + version + ") cannot link")
                .isEmpty();
    }
}
