package io.stateguard.agent.telemetry;

/**
 * One resolved destination of telemetry: an OpenTelemetry API copy with its {@code OpenTelemetry},
 * and the agent's tracer and meter there.
 */
final class Backend {

    /** Where telemetry goes: the OpenTelemetry Java agent, the application's SDK, or the embedded one. */
    enum Source {
        OPENTELEMETRY_AGENT("the OpenTelemetry Java agent"),
        APPLICATION("the application's GlobalOpenTelemetry"),
        EMBEDDED("the embedded OpenTelemetry SDK");

        final String description;

        Source(String description) {
            this.description = description;
        }
    }

    final Source source;
    final OtelApi api;
    final Object openTelemetry;
    final Object tracer;
    final Object meter;

    Backend(Source source, OtelApi api, Object openTelemetry, String version) throws ReflectiveOperationException {
        this.source = source;
        this.api = api;
        this.openTelemetry = openTelemetry;
        this.tracer = api.tracer(openTelemetry, Telemetry.INSTRUMENTATION_NAME, version);
        this.meter = api.meter(openTelemetry, Telemetry.INSTRUMENTATION_NAME);
    }
}
