package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayProcess;
import io.stateguard.harness.Await;
import io.stateguard.harness.FreePorts;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisTopologyExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The harness example of {@code integration-tests/README.md}, kept compiling and passing: a user's gateway
 * (here the reference gateway) started as a process against a primary and a replica that replicates through
 * a {@code LagProxy}; the proxy is paused so that the replica deterministically misses a write, and the
 * gateway, run with the agent, must still answer with the new state. The test reads the replica itself
 * while the proxy holds the write: it still has the old state, which is what the gateway's
 * {@code REPLICA_PREFERRED} read would have answered without the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LaggingReplicaExampleEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topology is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    // --- README example starts here (the README runs "-jar your-gateway.jar" instead of the class path) ---
    /** Started before @BeforeAll, closed after @AfterAll; its logs are kept if anything of the class failed. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start());

    private final HttpClient http = HttpClient.newHttpClient();
    private PrimaryReplicaTopology redis;
    private Process gateway;
    private URI api;

    @BeforeAll
    void startGateway() throws Exception {
        redis = REDIS.get();
        int port = FreePorts.next();
        api = URI.create("http://127.0.0.1:" + port);
        Path agent = Paths.get("../agent/target/stateguard-agent.jar");
        ProcessBuilder command = new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + agent + "=keys=evolution:state:*;rule.creds.keys=evolution:instance:*",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "io.stateguard.gateway.ReferenceGateway")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        command.environment().put("CACHE_REDIS_URI", redis.primary().uri() + "," + redis.replica(0).uri());
        command.environment().put("SERVER_PORT", Integer.toString(port));
        command.environment().put("GATEWAY_RECONNECT_INTERVAL_MS", "0"); // the test decides when state changes
        gateway = command.start();
        awaitState("instance-1", "open");
    }

    @AfterAll
    void stopGateway() throws Exception {
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theStatusFollowsALogoutTheReplicaHasNotSeen() throws Exception {
        redis.awaitReplicated();
        redis.lagProxy(0).pause(); // from now on the replica misses every write
        try {
            assertThat(send("DELETE", "/instance/logout/instance-1").statusCode()).isEqualTo(200);
            assertThat(send("GET", "/instance/connectionState/instance-1").body()).contains("\"state\":\"close\"");
            // The replica the gateway reads from has not seen the logout: without the agent it would answer "open".
            assertThat(redis.primary().command("GET", "evolution:state:instance-1")).asString()
                    .contains("\"state\":\"close\"");
            assertThat(redis.replica(0).command("GET", "evolution:state:instance-1")).asString()
                    .contains("\"state\":\"open\"");
        } finally {
            redis.lagProxy(0).resume();
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(api.resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void awaitState(String instance, String state) {
        Await.untilTrue(instance + " to be " + state, Duration.ofSeconds(30), () -> {
            try {
                return send("GET", "/instance/connectionState/" + instance).body()
                        .contains("\"state\":\"" + state + "\"");
            } catch (Exception notListeningYet) {
                return false; // the gateway is still starting
            }
        }, null);
    }
    // --- README example ends here ---

    @Test
    void theExampleRunsTheBuiltAgentJar() {
        assertThat(Paths.get("../agent/target/stateguard-agent.jar").toAbsolutePath().normalize())
                .isEqualTo(GatewayProcess.agentJar());
    }
}
