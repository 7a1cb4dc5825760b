package io.stateguard.gateway;

import io.lettuce.core.ReadFrom;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's settings, read from environment variables named as in Evolution API where it has one.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code CACHE_REDIS_URI}</td><td>(required)</td><td>see {@link RedisTarget}</td></tr>
 *   <tr><td>{@code CACHE_REDIS_READ_FROM}</td><td>{@code REPLICA_PREFERRED}</td><td>Lettuce {@code ReadFrom}
 *       ({@code REPLICA_PREFERRED}, {@code replicaPreferred}, {@code ANY}, {@code subnet:...}...)</td></tr>
 *   <tr><td>{@code CACHE_REDIS_PREFIX_KEY}</td><td>{@code evolution}</td><td>key prefix</td></tr>
 *   <tr><td>{@code GATEWAY_INSTANCES}</td><td>4</td><td>simulated WhatsApp instances</td></tr>
 *   <tr><td>{@code SERVER_PORT}</td><td>8080</td><td>HTTP port on 127.0.0.1; 0 picks a free one</td></tr>
 *   <tr><td>{@code GATEWAY_RECONNECT_INTERVAL_MS}</td><td>5000</td><td>time an instance stays open before its
 *       socket drops and it reconnects; 0 = never</td></tr>
 *   <tr><td>{@code GATEWAY_RECONNECT_JITTER_MS}</td><td>interval / 5</td><td>random extra time, so instances
 *       do not reconnect in lockstep</td></tr>
 *   <tr><td>{@code GATEWAY_CONNECT_MS}</td><td>200</td><td>time spent {@code connecting} with saved creds</td></tr>
 *   <tr><td>{@code GATEWAY_PAIRING_MS}</td><td>1000</td><td>time the simulated phone takes to scan a QR code</td></tr>
 *   <tr><td>{@code GATEWAY_UNLINK_EVERY}</td><td>0</td><td>every n-th reconnect is instead the phone unlinking the
 *       device (creds deleted, new QR pairing); 0 = never</td></tr>
 *   <tr><td>{@code GATEWAY_KEY_WRITES_PER_SECOND}</td><td>10</td><td>pre-key/session/creds writes per paired
 *       instance; 0 = none</td></tr>
 *   <tr><td>{@code WEBHOOK_GLOBAL_URL}</td><td>(none)</td><td>receives {@code connection.update} events</td></tr>
 *   <tr><td>{@code WEBHOOK_GLOBAL_ENABLED}</td><td>{@code true} when a URL is set</td><td>{@code false}
 *       disables webhooks</td></tr>
 * </table>
 *
 * @param redis                 where Redis is
 * @param readFrom              the Lettuce read preference of every read
 * @param readFromName          {@code readFrom} as configured, for messages
 * @param keys                  key naming
 * @param instances             number of instances
 * @param port                  HTTP port, 0 for any
 * @param reconnectInterval     zero for never
 * @param reconnectJitter       added randomly to each reconnect interval
 * @param connectTime           duration of {@code connecting} with saved creds
 * @param pairingTime           duration of a QR pairing
 * @param unlinkEvery           0 for never
 * @param keyWritesPerSecond    per paired instance, 0 for none
 * @param webhookUrl            {@code null} for none
 */
public record GatewayConfig(RedisTarget redis, ReadFrom readFrom, String readFromName, GatewayKeys keys,
        int instances, int port, Duration reconnectInterval, Duration reconnectJitter, Duration connectTime,
        Duration pairingTime, int unlinkEvery, int keyWritesPerSecond, URI webhookUrl) {

    public GatewayConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(readFrom, "readFrom");
        Objects.requireNonNull(keys, "keys");
    }

    /**
     * Reads the settings from {@code environment} (usually {@code System.getenv()}).
     *
     * @throws IllegalArgumentException naming the variable and its value when one is invalid
     */
    public static GatewayConfig fromEnvironment(Map<String, String> environment) {
        Settings settings = new Settings(environment);
        RedisTarget redis = RedisTarget.parse(settings.required("CACHE_REDIS_URI"));
        String readFromName = settings.text("CACHE_REDIS_READ_FROM", "REPLICA_PREFERRED");
        ReadFrom readFrom = readFrom(readFromName);
        GatewayKeys keys = new GatewayKeys(settings.text("CACHE_REDIS_PREFIX_KEY", GatewayKeys.DEFAULT_PREFIX));
        int instances = settings.integer("GATEWAY_INSTANCES", 4, 1, 10_000);
        int port = settings.integer("SERVER_PORT", 8080, 0, 65_535);
        long interval = settings.integer("GATEWAY_RECONNECT_INTERVAL_MS", 5_000, 0, Integer.MAX_VALUE);
        long jitter = settings.integer("GATEWAY_RECONNECT_JITTER_MS", (int) (interval / 5), 0, Integer.MAX_VALUE);
        long connect = settings.integer("GATEWAY_CONNECT_MS", 200, 0, Integer.MAX_VALUE);
        long pairing = settings.integer("GATEWAY_PAIRING_MS", 1_000, 0, Integer.MAX_VALUE);
        int unlinkEvery = settings.integer("GATEWAY_UNLINK_EVERY", 0, 0, Integer.MAX_VALUE);
        int keyWrites = settings.integer("GATEWAY_KEY_WRITES_PER_SECOND", 10, 0, 1_000);
        URI webhook = null;
        String webhookUrl = settings.text("WEBHOOK_GLOBAL_URL", "");
        if (!webhookUrl.isEmpty() && settings.bool("WEBHOOK_GLOBAL_ENABLED", true)) {
            try {
                webhook = URI.create(webhookUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("WEBHOOK_GLOBAL_URL='" + webhookUrl + "': " + e.getMessage(), e);
            }
        }
        return new GatewayConfig(redis, readFrom, readFromName, keys, instances, port, Duration.ofMillis(interval),
                Duration.ofMillis(jitter), Duration.ofMillis(connect), Duration.ofMillis(pairing), unlinkEvery,
                keyWrites, webhook);
    }

    /**
     * Accepts Lettuce's names ({@code replicaPreferred}) and the constant style of Spring and Evolution-like
     * configuration ({@code REPLICA_PREFERRED}); {@code subnet:}/{@code regex:} values are passed through.
     */
    static ReadFrom readFrom(String value) {
        String name = value.contains(":") ? value : value.replace("_", "").replace("-", "");
        try {
            return ReadFrom.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CACHE_REDIS_READ_FROM='" + value + "': " + e.getMessage(), e);
        }
    }

    /** Typed access to the environment with uniform error messages. */
    private static final class Settings {
        private final Map<String, String> environment;

        Settings(Map<String, String> environment) {
            this.environment = environment;
        }

        String required(String name) {
            String value = environment.get(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " is required (e.g. redis://127.0.0.1:6379)");
            }
            return value.trim();
        }

        String text(String name, String fallback) {
            String value = environment.get(name);
            return value == null || value.isBlank() ? fallback : value.trim();
        }

        int integer(String name, int fallback, int min, int max) {
            String value = text(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < min || parsed > max) {
                    throw new IllegalArgumentException(name + "='" + value + "': expected " + min + ".." + max);
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + "='" + value + "': not an integer", e);
            }
        }

        boolean bool(String name, boolean fallback) {
            String value = text(name, null);
            if (value == null) {
                return fallback;
            }
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw new IllegalArgumentException(name + "='" + value + "': expected true or false");
        }
    }
}
