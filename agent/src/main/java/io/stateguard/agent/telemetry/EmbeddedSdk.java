package io.stateguard.agent.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's own OpenTelemetry SDK, for applications without the OpenTelemetry Java agent and
 * without a registered SDK of their own. In the agent jar it is relocated below
 * {@code io.stateguard.agent.shaded} with its HTTP client, so it never meets the application's
 * OpenTelemetry classes of whatever version.
 *
 * <p>It exists only when an exporter is configured with the standard settings: without one the agent
 * opens no connection at all, and inconsistencies stay log lines. It is configured by the SDK's own
 * autoconfiguration from {@code otel.*} system properties and {@code OTEL_*} environment variables,
 * with {@code otel.service.name=stateguard} and {@code otel.logs.exporter=none} as defaults, and it is
 * never registered as {@code GlobalOpenTelemetry} (the application's own {@code set()} must keep
 * working).
 */
final class EmbeddedSdk {

    /** Settings whose presence (with a value other than {@code none}) asks for an exporter. */
    private static final String[] EXPORTER_SETTINGS = {
        "otel.traces.exporter", "otel.metrics.exporter", "otel.exporter.otlp.endpoint",
        "otel.exporter.otlp.traces.endpoint", "otel.exporter.otlp.metrics.endpoint",
    };

    private EmbeddedSdk() {
    }

    /** Whether the standard settings configure an exporter (system properties win over the environment). */
    static boolean exporterConfigured(Map<String, String> environment, Properties systemProperties) {
        for (String name : EXPORTER_SETTINGS) {
            String value = systemProperties.getProperty(name);
            if (value == null) {
                value = environment.get(name.toUpperCase(Locale.ROOT).replace('.', '_'));
            }
            if (value != null && !value.trim().isEmpty() && !value.trim().equalsIgnoreCase("none")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds the SDK (reads the settings, creates exporters and their background threads). Slow (tens
     * to hundreds of milliseconds): never call it on an application or event-loop thread. Flushing at
     * exit is the caller's ({@link Telemetry}'s shutdown hook), which also waits for a start still in
     * progress.
     */
    static Object start() {
        final Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", "stateguard");
        defaults.put("otel.logs.exporter", "none");
        final OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                // Defaults only: otel.* system properties and OTEL_* variables win over them.
                .addPropertiesSupplier(new Supplier<Map<String, String>>() {
                    @Override
                    public Map<String, String> get() {
                        return defaults;
                    }
                })
                // Telemetry's hook instead, with a short timeout: an exporter that cannot reach its
                // collector must not hold up the application's exit.
                .disableShutdownHook()
                .setServiceClassLoader(EmbeddedSdk.class.getClassLoader())
                .build()
                .getOpenTelemetrySdk();
        return sdk;
    }

    /** Flushes and stops an SDK from {@link #start()}, waiting at most 3 seconds. */
    static void shutdown(Object sdk) {
        if (sdk instanceof OpenTelemetrySdk) {
            ((OpenTelemetrySdk) sdk).shutdown().join(3, TimeUnit.SECONDS);
        }
    }

    /** The package prefix of the API the embedded SDK implements (relocated in the agent jar). */
    static String apiPrefix() {
        String name = OpenTelemetry.class.getName();
        return name.substring(0, name.length() - ".api.OpenTelemetry".length());
    }
}
