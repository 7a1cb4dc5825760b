package io.stateguard.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.stateguard.harness.Await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP (protobuf) receiver on 127.0.0.1 and a free port, for tests: keeps every
 * {@code ExportTraceServiceRequest} and {@code ExportMetricsServiceRequest} it is sent, decoded, and
 * answers 200. Point an exporter at {@link #endpoint()} ({@code otel.exporter.otlp.endpoint}).
 */
public final class OtlpReceiver implements AutoCloseable {

    private final HttpServer server;
    private final List<ExportTraceServiceRequest> traces = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metrics = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** Starts a receiver on a free loopback port. */
    public static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/", receiver::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "otlp-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return receiver;
    }

    /** {@code http://127.0.0.1:<port>}: the base endpoint; exporters append {@code /v1/traces} etc. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (InputStream body = exchange.getRequestBody()) {
            byte[] bytes = body.readAllBytes();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
            }
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/v1/traces")) {
                traces.add(ExportTraceServiceRequest.parseFrom(bytes));
            } else if (path.endsWith("/v1/metrics")) {
                metrics.add(ExportMetricsServiceRequest.parseFrom(bytes));
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, 0);
        } finally {
            exchange.close();
        }
    }

    /** HTTP requests received so far, of any kind. */
    public int requests() {
        return requests.get();
    }

    /** Every span received so far, with its resource's and scope's identity. */
    public List<ReceivedSpan> spans() {
        List<ReceivedSpan> spans = new ArrayList<>();
        for (ExportTraceServiceRequest request : traces) {
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service = string(resource.getResource().getAttributesList(), "service.name");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (Span span : scope.getSpansList()) {
                        spans.add(new ReceivedSpan(service, scope.getScope().getName(), span));
                    }
                }
            }
        }
        return spans;
    }

    /** Metrics received so far, by name (the last one of each name). */
    public Map<String, Metric> metrics() {
        Map<String, Metric> byName = new LinkedHashMap<>();
        for (ExportMetricsServiceRequest request : metrics) {
            for (ResourceMetrics resource : request.getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        byName.put(metric.getName(), metric);
                    }
                }
            }
        }
        return byName;
    }

    /** Every export of the metric {@code name} received so far, oldest first: how a gauge moved over time. */
    public List<Metric> metricHistory(String name) {
        List<Metric> history = new ArrayList<>();
        for (ExportMetricsServiceRequest request : metrics) {
            for (ResourceMetrics resource : request.getResourceMetricsList()) {
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        if (metric.getName().equals(name)) {
                            history.add(metric);
                        }
                    }
                }
            }
        }
        return history;
    }

    /**
     * Every attribute of everything received (resources, scopes, spans, span events and links,
     * metric data points), as {@code name=value} strings.
     */
    public List<String> allAttributes() {
        List<String> all = new ArrayList<>();
        for (ExportTraceServiceRequest request : traces) {
            for (ResourceSpans resource : request.getResourceSpansList()) {
                add(all, resource.getResource().getAttributesList());
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    add(all, scope.getScope().getAttributesList());
                    for (Span span : scope.getSpansList()) {
                        all.add("span.name=" + span.getName());
                        add(all, span.getAttributesList());
                        span.getEventsList().forEach(event -> add(all, event.getAttributesList()));
                        span.getLinksList().forEach(link -> add(all, link.getAttributesList()));
                    }
                }
            }
        }
        for (ExportMetricsServiceRequest request : metrics) {
            for (ResourceMetrics resource : request.getResourceMetricsList()) {
                add(all, resource.getResource().getAttributesList());
                for (ScopeMetrics scope : resource.getScopeMetricsList()) {
                    for (Metric metric : scope.getMetricsList()) {
                        metric.getSum().getDataPointsList().forEach(point -> add(all, point.getAttributesList()));
                        metric.getGauge().getDataPointsList().forEach(point -> add(all, point.getAttributesList()));
                        metric.getHistogram().getDataPointsList().forEach(point -> add(all, point.getAttributesList()));
                    }
                }
            }
        }
        return all;
    }

    /** Waits until a received span matches ({@link Await}); fails with what was received otherwise. */
    public ReceivedSpan awaitSpan(Predicate<ReceivedSpan> wanted, Duration timeout) {
        return Await.value("a matching span", timeout,
                () -> spans().stream().filter(wanted).findFirst().orElse(null),
                () -> "received: " + spans());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void add(List<String> all, List<KeyValue> attributes) {
        for (KeyValue attribute : attributes) {
            all.add(attribute.getKey() + "=" + text(attribute.getValue()));
        }
    }

    static String string(List<KeyValue> attributes, String name) {
        for (KeyValue attribute : attributes) {
            if (attribute.getKey().equals(name)) {
                return text(attribute.getValue());
            }
        }
        return null;
    }

    private static String text(AnyValue value) {
        switch (value.getValueCase()) {
            case STRING_VALUE:
                return value.getStringValue();
            case INT_VALUE:
                return Long.toString(value.getIntValue());
            case BOOL_VALUE:
                return Boolean.toString(value.getBoolValue());
            case DOUBLE_VALUE:
                return Double.toString(value.getDoubleValue());
            case BYTES_VALUE:
                return value.getBytesValue().toStringUtf8();
            default:
                return value.toString();
        }
    }

    /** One received span: its service ({@code service.name}), instrumentation scope and the span itself. */
    public record ReceivedSpan(String service, String scope, Span span) {

        public String name() {
            return span.getName();
        }

        public String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        public String parentSpanId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        /** The span's attributes as text (numbers in decimal). */
        public Map<String, String> attributes() {
            Map<String, String> attributes = new LinkedHashMap<>();
            for (KeyValue attribute : span.getAttributesList()) {
                attributes.put(attribute.getKey(), text(attribute.getValue()));
            }
            return attributes;
        }

        @Override
        public String toString() {
            return name() + "{service=" + service + ", scope=" + scope + ", trace=" + traceId() + ", parent="
                    + parentSpanId() + ", attributes=" + attributes() + ", status=" + span.getStatus().getCode() + "}";
        }
    }
}
