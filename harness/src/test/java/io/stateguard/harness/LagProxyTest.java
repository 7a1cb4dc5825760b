package io.stateguard.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy on its own, between a client and a node; the replication use is in {@link PrimaryReplicaTopologyTest}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoStrayProcesses.class)
class LagProxyTest {

    private RedisNode node;

    @BeforeAll
    void startNode() {
        node = RedisNode.builder().name("proxied").start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.stop();
        }
    }

    @Test
    void forwardsBothWays() {
        try (LagProxy proxy = LagProxy.start(node);
             RespClient client = new RespClient(proxy.host(), proxy.port())) {
            assertThat(proxy.target()).isEqualTo(node.hostAndPort());
            assertThat(client.call("SET", "proxy:k", "v")).isEqualTo("OK");
            assertThat(client.call("GET", "proxy:k")).isEqualTo("v");
            assertThat(proxy.connectionCount()).isEqualTo(1);
            assertThat(proxy.pendingBytes()).isZero();
        }
    }

    @Test
    void pauseHoldsTargetBytesUntilResume() throws Exception {
        try (LagProxy proxy = LagProxy.start(node);
             RespClient client = new RespClient(proxy.host(), proxy.port())) {
            client.call("PING"); // connection established before pausing
            proxy.pause();
            assertThat(proxy.isPaused()).isTrue();
            CompletableFuture<Object> reply = CompletableFuture.supplyAsync(() -> client.call("INCR", "proxy:paused"));
            // The command went through (client->target is never held) and its reply is now held by the proxy.
            Await.untilTrue("the reply to reach the proxy", Duration.ofSeconds(10), () -> proxy.pendingBytes() > 0, null);
            assertThat(node.command("GET", "proxy:paused")).as("executed on the target").isEqualTo("1");
            assertThat(reply).isNotDone();
            proxy.resume();
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
            assertThat(proxy.pendingBytes()).isZero();
        }
    }

    @Test
    void delayPostponesButKeepsOrder() throws Exception {
        int commands = 2_000;
        try (LagProxy proxy = LagProxy.start(node);
             Socket socket = new Socket(proxy.host(), proxy.port())) {
            // A delay no run reaches: the replies are held until the test shortens it, so what is held
            // can be observed without any timing.
            proxy.setDelayMillis(600_000);
            assertThat(proxy.delayMillis()).isEqualTo(600_000);
            socket.setSoTimeout(10_000);
            // Pipelined: the replies arrive as many chunks, which must be released in order.
            StringBuilder pipeline = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= commands; i++) {
                pipeline.append("INCR proxy:ordered\r\n");
                expected.append(':').append(i).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(pipeline.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // Every command ran on the target and every reply sits in the proxy; the client has none of them.
            Await.untilTrue("every reply to reach the proxy", Duration.ofSeconds(20),
                    () -> proxy.pendingBytes() == expected.length(), null);
            assertThat(node.command("GET", "proxy:ordered")).as("executed on the target")
                    .isEqualTo(Integer.toString(commands));
            assertThat(socket.getInputStream().available()).as("nothing reached the client").isZero();

            // A shorter delay applies to what is queued: everything is due now, and arrives in order.
            proxy.setDelayMillis(0);
            assertThat(readLines(socket.getInputStream(), commands)).isEqualTo(expected.toString());
            assertThat(proxy.pendingBytes()).isZero();
        }
    }

    @Test
    void closeDisconnectsClients() {
        LagProxy proxy = LagProxy.start(node);
        RespClient client = new RespClient(proxy.host(), proxy.port());
        client.call("PING");
        proxy.close();
        assertThatThrownBy(() -> client.call("PING")).isInstanceOf(UncheckedIOException.class);
        assertThat(proxy.connectionCount()).isZero();
        assertThatThrownBy(() -> new RespClient(proxy.host(), proxy.port(), Duration.ofSeconds(1)))
                .isInstanceOf(UncheckedIOException.class);
        proxy.close(); // idempotent
    }

    @Test
    void rejectsNegativeDelay() {
        try (LagProxy proxy = LagProxy.start(node)) {
            assertThatThrownBy(() -> proxy.setDelayMillis(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static String readLines(InputStream in, int lines) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int seen = 0;
        while (seen < lines) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF after " + seen + " lines");
            }
            text.write(b);
            if (b == '\n') {
                seen++;
            }
        }
        return text.toString(StandardCharsets.US_ASCII);
    }
}
