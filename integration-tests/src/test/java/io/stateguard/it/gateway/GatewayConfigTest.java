package io.stateguard.it.gateway;

import io.lettuce.core.ReadFrom;
import io.stateguard.gateway.GatewayConfig;
import io.stateguard.gateway.RedisTarget;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {

    private static GatewayConfig config(String... namesAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put("CACHE_REDIS_URI", "redis://127.0.0.1:6379");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            env.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return GatewayConfig.fromEnvironment(env);
    }

    @Test
    void defaultsAreEvolutionApisWithReplicaPreferredReads() {
        GatewayConfig config = config();

        assertThat(config.readFrom()).isSameAs(ReadFrom.REPLICA_PREFERRED);
        assertThat(config.keys().stateKey("x")).isEqualTo("evolution:state:x");
        assertThat(config.keys().authKey("x")).startsWith("evolution:instance:").hasSize("evolution:instance:".length() + 36);
        assertThat(config.instances()).isEqualTo(4);
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.reconnectInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.reconnectJitter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.keyWritesPerSecond()).isEqualTo(10);
        assertThat(config.webhookUrl()).isNull();
    }

    @Test
    void readFromAcceptsLettuceAndConstantStyleNames() {
        assertThat(config("CACHE_REDIS_READ_FROM", "replicaPreferred").readFrom()).isSameAs(ReadFrom.REPLICA_PREFERRED);
        assertThat(config("CACHE_REDIS_READ_FROM", "ANY_REPLICA").readFrom()).isSameAs(ReadFrom.ANY_REPLICA);
        assertThat(config("CACHE_REDIS_READ_FROM", "upstream").readFrom()).isSameAs(ReadFrom.UPSTREAM);
        assertThatThrownBy(() -> config("CACHE_REDIS_READ_FROM", "replicas-first"))
                .hasMessageContaining("CACHE_REDIS_READ_FROM='replicas-first'");
    }

    @Test
    void redisUriFormsSelectTheConnectionKind() {
        assertThat(RedisTarget.parse("redis://127.0.0.1:6379").kind()).isEqualTo(RedisTarget.Kind.DISCOVERY);

        RedisTarget nodes = RedisTarget.parse("redis://127.0.0.1:6379, redis://127.0.0.1:6380");
        assertThat(nodes.kind()).isEqualTo(RedisTarget.Kind.STATIC);
        assertThat(nodes.uris()).extracting(uri -> uri.getPort()).containsExactly(6379, 6380);

        RedisTarget sentinel = RedisTarget.parse("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#mymaster");
        assertThat(sentinel.kind()).isEqualTo(RedisTarget.Kind.SENTINEL);
        assertThat(sentinel.uris().get(0).getSentinelMasterId()).isEqualTo("mymaster");
        assertThat(sentinel.uris().get(0).getSentinels()).hasSize(2);

        RedisTarget cluster = RedisTarget.parse("redis-cluster://127.0.0.1:7000,127.0.0.1:7001");
        assertThat(cluster.kind()).isEqualTo(RedisTarget.Kind.CLUSTER);
        assertThat(cluster.uris()).extracting(uri -> uri.getPort()).containsExactly(7000, 7001);
    }

    @Test
    void invalidSettingsNameTheVariable() {
        assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of())).hasMessageContaining("CACHE_REDIS_URI is required");
        assertThatThrownBy(() -> config("GATEWAY_INSTANCES", "0")).hasMessageContaining("GATEWAY_INSTANCES='0'");
        assertThatThrownBy(() -> config("SERVER_PORT", "http")).hasMessageContaining("SERVER_PORT='http': not an integer");
        assertThatThrownBy(() -> config("CACHE_REDIS_URI", "mongodb://x")).hasMessageContaining("Invalid CACHE_REDIS_URI");
        assertThatThrownBy(() -> config("WEBHOOK_GLOBAL_URL", "http://x", "WEBHOOK_GLOBAL_ENABLED", "yes"))
                .hasMessageContaining("WEBHOOK_GLOBAL_ENABLED='yes'");
    }

    @Test
    void webhooksCanBeDisabledWithoutRemovingTheUrl() {
        assertThat(config("WEBHOOK_GLOBAL_URL", "http://127.0.0.1:1/hook").webhookUrl()).hasToString("http://127.0.0.1:1/hook");
        assertThat(config("WEBHOOK_GLOBAL_URL", "http://127.0.0.1:1/hook", "WEBHOOK_GLOBAL_ENABLED", "false").webhookUrl()).isNull();
    }
}
