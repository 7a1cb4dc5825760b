package io.stateguard.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoStrayProcesses.class)
class RedisServerBinaryTest {

    @Test
    void resolvesAnExecutable() {
        Path path = RedisServerBinary.path();
        assertThat(path).isAbsolute().isRegularFile().isExecutable();
        assertThat(RedisServerBinary.path()).as("cached").isSameAs(path);
    }

    @Test
    void picksTheBundledBinaryByPlatform() {
        assertThat(RedisServerBinary.embeddedResourceName("Linux", "amd64")).isEqualTo("redis-server-6.2.6-v5-linux-amd64");
        assertThat(RedisServerBinary.embeddedResourceName("Linux", "x86_64")).isEqualTo("redis-server-6.2.6-v5-linux-amd64");
        assertThat(RedisServerBinary.embeddedResourceName("Linux", "aarch64")).isEqualTo("redis-server-6.2.7-linux-arm64");
        assertThat(RedisServerBinary.embeddedResourceName("Mac OS X", "aarch64")).isEqualTo("redis-server-6.2.6-v5-darwin-arm64");
        assertThat(RedisServerBinary.embeddedResourceName("Mac OS X", "x86_64")).isEqualTo("redis-server-6.2.6-v5-darwin-amd64");
        assertThat(RedisServerBinary.embeddedResourceName("Windows 11", "amd64")).endsWith("windows-amd64.exe");
        assertThatThrownBy(() -> RedisServerBinary.embeddedResourceName("SunOS", "sparcv9"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(RedisServerBinary.SYSTEM_PROPERTY);
    }

    @Test
    void bundledBinaryIsExtractedOnceAndRuns() throws Exception {
        requireLinux();
        Path embedded = RedisServerBinary.embedded();
        assertThat(embedded).isRegularFile().isExecutable();
        assertThat(RedisServerBinary.embedded()).isSameAs(embedded);
        Process version = new ProcessBuilder(embedded.toString(), "--version").redirectErrorStream(true).start();
        assertThat(version.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(version.getInputStream().readAllBytes())).contains("v=6.2");
        assertThat(Files.size(embedded)).isPositive();
    }

    @Test
    void nodesRunOnTheBundledRedis62() {
        requireLinux();
        try (RedisNode node = RedisNode.builder().name("bundled").binary(RedisServerBinary.embedded()).start()) {
            assertThat(node.version()).startsWith("6.2");
            node.command("SET", "k", "v");
            assertThat(node.command("GET", "k")).isEqualTo("v");
        }
    }

    /** The bundled binary these tests run is the Linux one; elsewhere they skip (and fail on CI). */
    private static void requireLinux() {
        Preconditions.require(OS.LINUX.isCurrentOs(), "Linux, to run the embedded-redis jar's bundled redis-server"
                + " (this is " + System.getProperty("os.name") + ")");
    }
}
