package io.stateguard.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoStrayProcesses.class)
class RedisNodeTest {

    @Test
    void startsWithTheGeneratedConfigAndStopsCleanly() throws IOException {
        RedisNode node = RedisNode.builder().name("plain").directive("maxmemory", "10mb").start();
        Path directory = node.directory();
        try {
            assertThat(node.isAlive()).isTrue();
            assertThat(new NoStrayProcesses().strays()).as("the stray-process check sees our nodes")
                    .extracting(ProcessHandle::pid).contains(node.pid());
            assertThat(node.host()).isEqualTo("127.0.0.1");
            assertThat(node.uri()).isEqualTo("redis://127.0.0.1:" + node.port());
            assertThat(node.version()).matches("\\d+\\.\\d+\\.\\d+");
            assertThat(node.role()).isEqualTo("master");
            assertThat(node.command("CONFIG", "GET", "save")).isEqualTo(List.of("save", ""));
            assertThat(node.command("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
            assertThat(node.command("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "10485760"));
            assertThat(node.command("CONFIG", "GET", "dir")).isEqualTo(List.of("dir", directory.toRealPath().toString()));
            assertThat(node.info("server")).containsEntry("tcp_port", Integer.toString(node.port()));
            assertThat(node.logFile()).startsWith(directory).exists();
            assertThat(node.logTail(200)).contains("Ready to accept connections");
            assertThat(node.logTail(1).lines()).hasSize(1);
            assertThat(Files.readString(node.configFile())).contains("bind 127.0.0.1", "protected-mode no", "maxmemory 10mb");
        } finally {
            node.stop();
        }
        assertThat(node.isAlive()).isFalse();
        assertThat(directory).doesNotExist();
        node.stop(); // idempotent
    }

    @Test
    void keepsLogsWhenAsked() throws IOException {
        RedisNode node = RedisNode.builder().name("kept").keepLogs(true).start();
        node.stop();
        try {
            assertThat(node.logFile()).exists();
            assertThat(node.logTail(20)).contains("Redis is now ready to exit");
        } finally {
            deleteRecursively(node.directory());
        }
    }

    @Test
    void keepLogsCanBeDecidedLate() throws IOException {
        RedisNode node = RedisNode.builder().name("late").start();
        node.keepLogs();
        node.close();
        try {
            assertThat(node.keepsLogs()).isTrue();
            assertThat(node.logFile()).exists();
        } finally {
            deleteRecursively(node.directory());
        }
    }

    @Test
    void killEndsTheProcessAbruptly() {
        RedisNode node = RedisNode.builder().name("victim").start();
        try {
            node.command("SET", "k", "v");
            node.kill();
            assertThat(node.isAlive()).isFalse();
            assertThatThrownBy(() -> node.command("PING")).isInstanceOf(UncheckedIOException.class);
            assertThat(node.logTail(20)).doesNotContain("ready to exit"); // no orderly shutdown happened
        } finally {
            node.stop();
        }
        assertThat(node.directory()).doesNotExist();
    }

    @Test
    void aBadDirectiveFailsFastWithTheLogAndKeepsTheFiles() throws IOException {
        RedisNode.Builder builder = RedisNode.builder().name("broken").directive("no-such-directive", "1");
        Throwable failure = catchFailure(builder);
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no-such-directive");
        Path directory = directoryFromMessage(failure.getMessage());
        try {
            assertThat(directory).exists();
        } finally {
            deleteRecursively(directory);
        }
    }

    @Test
    void aTakenFixedPortIsReported() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Throwable failure = catchFailure(RedisNode.builder().name("clash").port(taken.getLocalPort()));
            assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
            deleteRecursively(directoryFromMessage(failure.getMessage()));
        }
    }

    @Test
    void sentinelModeRunsTheSameBinary() {
        try (RedisNode primary = RedisNode.builder().name("monitored").start();
             RedisNode sentinel = RedisNode.builder().name("sentinel").sentinelMode(true)
                     .directive("sentinel", "monitor", "m", "127.0.0.1", primary.port(), 1).start()) {
            assertThat(sentinel.isSentinel()).isTrue();
            assertThat(sentinel.role()).isEqualTo("sentinel");
            assertThat(sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m"))
                    .isEqualTo(List.of("127.0.0.1", Integer.toString(primary.port())));
        }
    }

    @Test
    void configQuoting() {
        assertThat(RedisNode.quote("")).isEqualTo("\"\"");
        assertThat(RedisNode.quote("/tmp/a b/c")).isEqualTo("\"/tmp/a b/c\"");
        assertThat(RedisNode.quote("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
        assertThat(RedisNode.quote("127.0.0.1")).isEqualTo("127.0.0.1");
    }

    private static Throwable catchFailure(RedisNode.Builder builder) {
        try {
            RedisNode unexpected = builder.start();
            unexpected.stop();
            throw new AssertionError("start() should have failed");
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** The failure message names the kept log file: "..., log /tmp/stateguard-x-123/redis.log -----". */
    private static Path directoryFromMessage(String message) {
        int start = message.indexOf(", log ") + ", log ".length();
        int end = message.indexOf(" -----", start);
        return Path.of(message.substring(start, end)).getParent();
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
