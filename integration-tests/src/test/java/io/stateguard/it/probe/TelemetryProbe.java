package io.stateguard.it.probe;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.stateguard.it.probe.StateVersions.version;

/**
 * A Lettuce application for the telemetry tests: it reads a state key on the primary (version 8, the
 * agent's mark), then the same key on a replica that still has version 6, inside a span of its own
 * (unless the mode is {@code plain}); the agent detects the regression on a Netty thread and re-reads
 * the primary.
 *
 * <p>Modes: {@code plain} (no OpenTelemetry calls at all), {@code app-span} (a span from
 * {@code GlobalOpenTelemetry}, which the OpenTelemetry Java agent bridges), {@code app-sdk} (the
 * application builds and registers its own SDK with an OTLP/HTTP exporter to the system property
 * {@code probe.otlp.endpoint}, service {@code tg-own-sdk}, before its first Redis command).
 *
 * <p>Arguments: {@code <mode> <primary host:port> <replica host:port> <key>}. Prints
 * {@code probe.<name>=<value>} lines: the versions read, the parent span's ids, the API version on the
 * class path, and the names of the JVM's threads at the end. With {@code -Dprobe.linger=true} it then
 * waits until it is stopped.
 */
public final class TelemetryProbe {


    @SuppressWarnings("try") // the scope only makes the span current
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        List<RedisURI> nodes = ProbeConnections.nodes(args[1], args[2]);
        String key = args[3];
        Map<String, String> results = new TreeMap<>();
        SdkTracerProvider own = null;
        if (mode.equals("app-sdk")) {
            own = SdkTracerProvider.builder()
                    .setResource(Resource.getDefault().merge(
                            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "tg-own-sdk"))))
                    .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                            .setEndpoint(System.getProperty("probe.otlp.endpoint") + "/v1/traces").build())
                            .setScheduleDelay(Duration.ofMillis(100)).build())
                    .build();
            OpenTelemetrySdk.builder().setTracerProvider(own).buildAndRegisterGlobal();
        }
        results.put("api.version", String.valueOf(GlobalOpenTelemetry.class.getPackage().getImplementationVersion()));
        RedisClient client = RedisClient.create();
        try (ProbeConnections.Pair pair = ProbeConnections.primaryAndReplica(client, nodes)) {
            StatefulRedisMasterReplicaConnection<String, String> primary = pair.primary;
            StatefulRedisMasterReplicaConnection<String, String> replica = pair.replica;
            results.put("primary.read", version(primary.sync().get(key)));
            if (mode.equals("plain")) {
                results.put("replica.read", version(replica.sync().get(key)));
            } else {
                Span parent = GlobalOpenTelemetry.getTracer("telemetry-probe").spanBuilder("probe.parent").startSpan();
                try (Scope ignored = parent.makeCurrent()) {
                    results.put("replica.read", version(replica.sync().get(key)));
                } finally {
                    parent.end();
                }
                results.put("parent.trace", parent.getSpanContext().getTraceId());
                results.put("parent.span", parent.getSpanContext().getSpanId());
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
        if (own != null) {
            own.shutdown().join(10, TimeUnit.SECONDS);
        }
        TreeSet<String> threads = new TreeSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            threads.add(thread.getName());
        }
        results.put("threads", String.join(",", threads));
        results.forEach((name, value) -> System.out.println("probe." + name + "=" + value));
        if (Boolean.getBoolean("probe.linger")) {
            // Stay up until the test stops this JVM (SIGTERM: shutdown hooks run), so that periodic metric
            // exports happen after the reads instead of depending on the flush at exit alone.
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }
}
