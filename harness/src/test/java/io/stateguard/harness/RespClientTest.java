package io.stateguard.harness;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoStrayProcesses.class)
class RespClientTest {

    private RedisNode node;

    @BeforeAll
    void startNode() {
        node = RedisNode.builder().name("resp").start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void decodesEveryReplyType() {
        try (RespClient client = node.newClient()) {
            assertThat(client.call("PING")).isEqualTo("PONG");
            assertThat(client.call("SET", "resp:s", "h\u00e9llo \r\n world")).isEqualTo("OK");
            assertThat(client.call("GET", "resp:s")).isEqualTo("h\u00e9llo \r\n world");
            assertThat(client.call("GET", "resp:missing")).isNull();
            assertThat(client.call("SET", "resp:empty", "")).isEqualTo("OK");
            assertThat(client.call("GET", "resp:empty")).isEqualTo("");
            assertThat(client.call("INCRBY", "resp:n", 41)).isEqualTo(41L);
            assertThat(client.call("INCR", "resp:n")).isEqualTo(42L);
            assertThat(client.call("RPUSH", "resp:l", "a", "b")).isEqualTo(2L);
            assertThat(client.call("LRANGE", "resp:l", 0, -1)).isEqualTo(List.of("a", "b"));
            assertThat(client.call("MGET", "resp:s", "resp:missing")).isEqualTo(Arrays.asList("h\u00e9llo \r\n world", null));
            assertThat(client.call("EVAL", "return {1, {'x', 2}}", 0)).isEqualTo(List.of(1L, List.of("x", 2L)));
            assertThat(client.call("BLPOP", "resp:nothing", "0.01")).as("null array").isNull();
        }
    }

    @Test
    void errorRepliesAreThrownAndTheConnectionStaysUsable() {
        try (RespClient client = node.newClient()) {
            client.call("SET", "resp:str", "v");
            assertThatThrownBy(() -> client.call("LPUSH", "resp:str", "x"))
                    .isInstanceOfSatisfying(RedisError.class, e -> assertThat(e.code()).isEqualTo("WRONGTYPE"));
            assertThatThrownBy(() -> client.call("NO-SUCH-COMMAND"))
                    .isInstanceOfSatisfying(RedisError.class, e -> {
                        assertThat(e.code()).isEqualTo("ERR");
                        assertThat(e.getMessage()).contains("unknown command");
                    });
            assertThat(client.isOpen()).isTrue();
            assertThat(client.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void nestedErrorsAreReturnedNotThrown() {
        try (RespClient client = node.newClient()) {
            client.call("SET", "resp:tx", "v");
            client.call("MULTI");
            client.call("INCR", "resp:tx");
            client.call("SET", "resp:tx2", "ok");
            List<?> results = (List<?>) client.call("EXEC");
            assertThat(results).hasSize(2);
            assertThat(results.get(0)).isInstanceOf(RedisError.class);
            assertThat(results.get(1)).isEqualTo("OK");
        }
    }

    @Test
    void binaryArgumentsAndReplies() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        try (RespClient client = node.newClient()) {
            client.call("SET", "resp:bin".getBytes(StandardCharsets.UTF_8), value);
            assertThat((byte[]) client.callBinary("GET", "resp:bin")).isEqualTo(value);
            assertThat(client.callBinary("PING")).as("simple strings stay strings").isEqualTo("PONG");
        }
    }

    @Test
    void ioFailureClosesTheClient() {
        RespClient client = node.newClient();
        node.command("CLIENT", "KILL", "ID", client.call("CLIENT", "ID").toString());
        assertThatThrownBy(() -> client.call("PING")).isInstanceOf(UncheckedIOException.class);
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(() -> client.call("PING")).isInstanceOf(UncheckedIOException.class).hasMessageContaining("closed");
    }

    @Test
    void connectFailureIsReported() {
        int unused = FreePorts.next();
        assertThatThrownBy(() -> new RespClient("127.0.0.1", unused)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("127.0.0.1:" + unused);
    }
}
