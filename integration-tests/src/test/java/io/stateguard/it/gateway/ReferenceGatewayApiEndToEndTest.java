package io.stateguard.it.gateway;

import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.demo.GatewayProcess;
import io.stateguard.gateway.ApiResponse;
import io.stateguard.gateway.Creds;
import io.stateguard.gateway.GatewayKeys;
import io.stateguard.gateway.InstanceState;
import io.stateguard.gateway.Json;
import io.stateguard.harness.Await;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference gateway's API and Redis layout, against real Redis without lag: what the demo's numbers rely
 * on. The gateway runs frozen (no reconnects) so that states only change when a test acts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceGatewayApiEndToEndTest {

    /** Gateway JVMs and redis-server processes must be gone when the class is done (the demo promises it). */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the topologies are closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("ReferenceGateway", "redis");

    /** The primary and replica of the class's gateway, for the whole class. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).start());

    /** A Sentinel group for the one test that connects through Sentinel, closed after that test. */
    @RegisterExtension
    @Order(3)
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = RedisTopologyExtension
            .of(() -> SentinelTopology.builder().replicas(1).start()).perTest();

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final GatewayKeys KEYS = new GatewayKeys(GatewayKeys.DEFAULT_PREFIX);

    private final HttpClient http = HttpClient.newHttpClient();
    private PrimaryReplicaTopology redis;
    private GatewayProcess gateway;

    @BeforeAll
    void startGateway() throws Exception {
        redis = REDIS.get();
        gateway = frozenGateway(redis.primary().uri() + "," + redis.replica(0).uri()).start();
    }

    @AfterAll
    void stopGateway() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static GatewayProcess.Builder frozenGateway(String redisUri) {
        return GatewayProcess.builder()
                .env("CACHE_REDIS_URI", redisUri)
                .env("GATEWAY_INSTANCES", "2")
                .env("GATEWAY_RECONNECT_INTERVAL_MS", "0")
                .env("GATEWAY_PAIRING_MS", "200")
                .env("GATEWAY_KEY_WRITES_PER_SECOND", "20");
    }

    @Test
    void connectionStateAnswersWithTheStoredStateAndItsVersion() throws Exception {
        HttpResponse<String> response = awaitState(gateway, "instance-1", "open");

        assertThat(Json.parse(response.body()))
                .isEqualTo(Map.of("instance", Map.of("instanceName", "instance-1", "state", "open")));
        InstanceState stored = storedState(redis.primary(), "instance-1");
        // close (1), connecting (2), QR pairing, open (3)
        assertThat(stored.version()).isEqualTo(3);
        assertThat(response.headers().firstValue(ApiResponse.STATE_VERSION_HEADER)).hasValue("3");
        assertThat(response.headers().firstValue(ApiResponse.STATE_HEADER)).hasValue("open");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");

        HttpResponse<String> connect = get(gateway, "/instance/connect/instance-1");
        assertThat(connect.body()).as("connect on an open instance answers its state").isEqualTo(response.body());
    }

    @Test
    void theAuthHashHoldsPairedCredsAndSignalKeys() throws Exception {
        awaitState(gateway, "instance-1", "open");
        String authKey = KEYS.authKey("instance-1");
        List<String> fields = Await.value("pre-key and session fields in " + authKey, TIMEOUT, () -> {
            List<String> now = ((List<?>) redis.primary().command("HKEYS", authKey)).stream().map(String::valueOf)
                    .toList();
            return now.stream().anyMatch(f -> f.startsWith("pre-key-")) && now.stream().anyMatch(f -> f.startsWith("session-"))
                    ? now : null;
        }, null);

        assertThat(fields).contains(GatewayKeys.CREDS_FIELD)
                .anyMatch(field -> field.startsWith("pre-key-"))
                .anyMatch(field -> field.startsWith("session-"));
        assertThat(Creds.isPaired((String) redis.primary().command("HGET", authKey, GatewayKeys.CREDS_FIELD))).isTrue();
    }

    @Test
    void logoutDeletesTheAuthStateAndConnectThenShowsAQrCodeUntilThePhoneScansIt() throws Exception {
        String instance = "instance-2";
        awaitState(gateway, instance, "open");
        long openVersion = storedState(redis.primary(), instance).version();

        HttpResponse<String> logout = send(gateway, "DELETE", "/instance/logout/" + instance);
        assertThat(logout.statusCode()).isEqualTo(200);
        assertThat(Json.at(Json.parse(logout.body()), "status")).isEqualTo("SUCCESS");
        assertThat(redis.primary().command("EXISTS", KEYS.authKey(instance))).isEqualTo(0L);
        assertThat(send(gateway, "DELETE", "/instance/logout/" + instance).statusCode())
                .as("logging out a closed instance").isEqualTo(400);

        redis.awaitReplicated(); // the gateway reads the replica: let it see the logout
        HttpResponse<String> qr = get(gateway, "/instance/connect/" + instance);
        Map<String, Object> body = Json.parseObject(qr.body());
        assertThat(body).containsKeys("pairingCode", "code", "base64", "count");
        assertThat(qr.headers().firstValue(ApiResponse.STATE_VERSION_HEADER)).hasValue(Long.toString(openVersion + 1));

        // connect started a new pairing; the simulated phone scans within GATEWAY_PAIRING_MS.
        HttpResponse<String> reopened = awaitState(gateway, instance, "open");
        assertThat(Long.parseLong(reopened.headers().firstValue(ApiResponse.STATE_VERSION_HEADER).orElseThrow()))
                .as("close, connecting, open").isEqualTo(openVersion + 3);
    }

    @Test
    void unknownInstancesAndRoutesAnswerInEvolutionsErrorFormat() throws Exception {
        HttpResponse<String> unknown = get(gateway, "/instance/connectionState/nobody");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Json.parse(unknown.body())).isEqualTo(Map.of("status", 404L, "error", "Not Found",
                "response", Map.of("message", List.of("The \"nobody\" instance does not exist"))));
        assertThat(get(gateway, "/instance/fetchInstances/x").statusCode()).isEqualTo(404);
        assertThat(get(gateway, "/instance/connectionState/").statusCode()).isEqualTo(404);
        assertThat(send(gateway, "DELETE", "/instance/connect/instance-1").statusCode()).isEqualTo(405);
    }

    @Test
    void sigtermStopsTheGatewayCleanly() throws Exception {
        GatewayProcess own = frozenGateway(redis.primary().uri()).env("GATEWAY_INSTANCES", "1").start();
        int exitCode = own.stop();

        assertThat(exitCode).as(own.stderr()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
        assertThat(own.stoppedCleanly()).as(own.stdout()).isTrue();
        assertThat(own.isAlive()).isFalse();
    }

    @Test
    void connectsThroughSentinel() throws Exception {
        SentinelTopology sentinel = SENTINEL.get();
        try (GatewayProcess viaSentinel = frozenGateway(sentinel.sentinelUri()).env("GATEWAY_INSTANCES", "1").start()) {
            awaitState(viaSentinel, "instance-1", "open");
            RedisNode primary = sentinel.primary();
            assertThat(storedState(primary, "instance-1").version()).isEqualTo(3);
            assertThat(viaSentinel.stop()).isEqualTo(143);
        }
    }

    private HttpResponse<String> awaitState(GatewayProcess target, String instance, String state) {
        AtomicReference<String> last = new AtomicReference<>();
        return Await.value(instance + " to be " + state, TIMEOUT, () -> {
            HttpResponse<String> response;
            try {
                response = get(target, "/instance/connectionState/" + instance);
            } catch (Exception e) {
                throw new IllegalStateException(e); // not yet: retried until the deadline
            }
            last.set(response.body());
            Object answered = response.statusCode() != 200 ? null
                    : Json.at(Json.parse(response.body()), "instance", "state");
            return state.equals(answered) ? response : null;
        }, () -> "last answer " + last.get() + "\n" + target.stderr());
    }

    private static InstanceState storedState(RedisNode primary, String instance) {
        return InstanceState.fromJson((String) primary.command("GET", KEYS.stateKey(instance)));
    }

    private HttpResponse<String> get(GatewayProcess target, String path) throws Exception {
        return send(target, "GET", path);
    }

    private HttpResponse<String> send(GatewayProcess target, String method, String path) throws Exception {
        URI uri = target.baseUri().resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
