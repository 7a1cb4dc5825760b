package io.stateguard.it.telemetry;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.stateguard.harness.Await;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.TelemetryProbe;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.OtlpReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Telemetry end to end: a forked application with {@code -javaagent:stateguard-agent.jar} reads a
 * state key on the primary (version 8), then on a replica that has version 6; the agent re-reads the
 * primary and reports a {@code version_regression}. Where the span goes depends on what else runs:
 * the embedded SDK (OTLP/HTTP to a receiver of the test), the OpenTelemetry Java agent (in both
 * {@code -javaagent} orders), or the application's own SDK (API 1.40, not the agent's 1.68).
 */
class TelemetryEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
            .of(() -> PrimaryReplicaTopology.builder().replicas(1).start());

    private static final String RULE = "keys=tg:state:*;version=json:/version;routing=replica-checked";

    private static final String SPAN = "stateguard.inconsistency";

    /**
     * {@code stateguard.reads.routed{role=replica}} of one probe run: its two reads of the state key (the
     * primary connection's and the replica connection's), both left on the application's routing and
     * checked; the agent's own re-read on the primary is not an application read. The rule sent no read
     * to the primary itself ({@code role=primary} is exported as 0).
     */
    private static final long ROUTED_READS = 2;

    /** Version 6 everywhere, then version 8 on the primary only (a script that does not replicate). */
    private static String staleKey(String name) {
        String key = "tg:state:" + name;
        PrimaryReplicaTopology redis = REDIS.get();
        redis.primary().command("SET", key, "{\"state\":\"connecting\",\"version\":6}");
        redis.awaitReplicated();
        redis.primary().command("EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('SET', KEYS[1], ARGV[1]) return 'OK'",
                "1", key, "{\"state\":\"open\",\"version\":8}");
        return key;
    }

    private static ForkedJvm.Result probe(ForkedJvm jvm, String mode, String key) throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        ForkedJvm.Result result = jvm.timeoutSeconds(60)
                .run(TelemetryProbe.class.getName(), mode, redis.primary().hostAndPort(),
                        redis.replica(0).hostAndPort(), key)
                .assertSuccess();
        return checked(result);
    }

    /**
     * Like {@link #probe} in mode {@code plain} with the embedded SDK exporting to {@code receiver}, but the
     * probe stays up after its reads until the receiver has a metrics export that counts the inconsistency:
     * periodic exports (every 200 ms) then carry this JVM's final counters, instead of the flush at exit
     * alone, which a loaded machine can cut short. Then the probe is stopped (its exit flush runs too).
     */
    private static ForkedJvm.Result probeUntilMetricsExported(ForkedJvm jvm, String key, OtlpReceiver receiver)
            throws Exception {
        PrimaryReplicaTopology redis = REDIS.get();
        ForkedJvm.Result result;
        try (ForkedJvm.Running app = jvm.jvmArg("-Dprobe.linger=true").start(TelemetryProbe.class.getName(), "plain",
                redis.primary().hostAndPort(), redis.replica(0).hostAndPort(), key)) {
            app.awaitLine(line -> line.startsWith("probe.threads="), Duration.ofSeconds(60));
            Await.untilTrue("a metrics export counting the inconsistency", Duration.ofSeconds(30),
                    () -> receiver.metrics().containsKey("stateguard.inconsistencies"),
                    () -> "metrics so far: " + receiver.metrics().keySet() + "\n" + describe(app));
            result = app.stop();
        }
        return checked(result);
    }

    private static String describe(ForkedJvm.Running app) {
        try {
            return app.describe("the probe");
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static ForkedJvm.Result checked(ForkedJvm.Result result) {
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("primary.read")).as(result.describe("read the primary")).isEqualTo("8");
        assertThat(values.get("replica.read")).as(result.describe("the guard re-read the primary")).isEqualTo("8");
        assertThat(result.stderr()).as(result.describe("no internal error")).doesNotContain("internal error");
        return result;
    }

    /** The one event every probe run must log: the replica's version 6 against the mark 8, re-read on the primary. */
    /** {@code span} is the stale read of {@code key} re-read on the primary, and the only inconsistency span. */
    private static void assertTheOnlyRegressionSpan(OtlpReceiver receiver, OtlpReceiver.ReceivedSpan span, String key) {
        assertThat(span.attributes()).containsEntry("stateguard.key", key)
                .containsEntry("stateguard.inconsistency.type", "version_regression")
                .containsEntry("stateguard.version.expected", "8")
                .containsEntry("stateguard.version.observed", "6")
                .containsEntry("stateguard.action", "reread_primary");
        assertThat(receiver.spans().stream().filter(s -> s.name().equals(SPAN))).as("one inconsistency span")
                .hasSize(1);
    }

    private static void assertOneRegressionLogged(ForkedJvm.Result result, String loggedKey) {
        assertThat(InconsistencyEvents.parse(result.stderr())).as(result.describe("exactly one event, logged once"))
                .containsExactly(InconsistencyEvents.Event.versionRegression("reread_primary", "default", loggedKey, 8, 6,
                        REDIS.get().replica(0).hostAndPort(), "replica"));
    }

    /** A counter's data points: attributes (name to string value) to value. */
    private static Map<Map<String, String>, Long> sums(Map<String, Metric> metrics, String name) {
        assertThat(metrics).as("exported metrics").containsKey(name);
        Map<Map<String, String>, Long> points = new HashMap<>();
        for (NumberDataPoint point : metrics.get(name).getSum().getDataPointsList()) {
            Map<String, String> attributes = new TreeMap<>();
            point.getAttributesList().forEach(kv -> attributes.put(kv.getKey(), kv.getValue().getStringValue()));
            assertThat(points.put(attributes, point.getAsInt())).as("one point per attribute set").isNull();
        }
        return points;
    }

    private static ForkedJvm embedded(OtlpReceiver receiver, String agentArgs) {
        return ForkedJvm.create().withAgent(agentArgs)
                .jvmArg("-Dotel.exporter.otlp.endpoint=" + receiver.endpoint())
                .jvmArg("-Dotel.exporter.otlp.protocol=http/protobuf")
                .jvmArg("-Dotel.metric.export.interval=200")
                .jvmArg("-Dotel.bsp.schedule.delay=100");
    }

    @Test
    void embeddedSdkExportsTheSpanWithEveryAttributeAndTheMetrics() throws Exception {
        String key = staleKey("embedded");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm.Result result = probeUntilMetricsExported(embedded(receiver, RULE), key, receiver);
            assertThat(result.stderr()).contains("telemetry: spans and metrics go to the embedded OpenTelemetry SDK");
            assertOneRegressionLogged(result, key);

            OtlpReceiver.ReceivedSpan span = receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10));
            RedisNode replica = REDIS.get().replica(0);
            assertThat(span.service()).isEqualTo("stateguard");
            assertThat(span.scope()).isEqualTo("io.stateguard.agent");
            assertThat(span.attributes()).containsAllEntriesOf(Map.ofEntries(
                    Map.entry("db.system.name", "redis"),
                    Map.entry("db.operation.name", "GET"),
                    Map.entry("db.namespace", "0"),
                    Map.entry("server.address", "127.0.0.1"),
                    Map.entry("server.port", String.valueOf(replica.port())),
                    Map.entry("stateguard.inconsistency.type", "version_regression"),
                    Map.entry("stateguard.rule", "default"),
                    Map.entry("stateguard.key", key),
                    Map.entry("stateguard.version.expected", "8"),
                    Map.entry("stateguard.version.observed", "6"),
                    Map.entry("stateguard.action", "reread_primary"),
                    Map.entry("stateguard.node.role", "replica")));
            assertThat(span.span().getStatus().getCode().getNumber()).as("unset: the command succeeded").isZero();
            assertThat(span.parentSpanId()).as("the application had no span: a root span").isEmpty();

            assertThat(receiver.spans()).as("one span: one inconsistency").hasSize(1);
            // This JVM's counters, as exported last (cumulative, flushed at exit): exact values.
            Map<String, Metric> metrics = receiver.metrics();
            assertThat(sums(metrics, "stateguard.inconsistencies")).as("one event").containsExactlyEntriesOf(Map.of(
                    Map.of("stateguard.rule", "default", "stateguard.inconsistency.type", "version_regression",
                            "stateguard.action", "reread_primary"), 1L));
            assertThat(sums(metrics, "stateguard.reads.routed")).as("the probe's two checked reads of the rule")
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            Map.of("stateguard.rule", "default", "stateguard.node.role", "replica"), ROUTED_READS,
                            Map.of("stateguard.rule", "default", "stateguard.node.role", "primary"), 0L));
            assertThat(metrics.get("stateguard.tracked_keys").getGauge().getDataPointsList())
                    .as("one key has a mark").singleElement()
                    .satisfies(point -> assertThat(point.getAsInt()).isEqualTo(1));
        }
    }

    @ParameterizedTest(name = "OpenTelemetry agent first: {0}")
    @ValueSource(booleans = {true, false})
    void besideTheOpenTelemetryAgentTheSpanJoinsTheApplicationsTrace(boolean openTelemetryFirst) throws Exception {
        Path otel = Paths.get(System.getProperty("stateguard.otel.agent.jar", "target/otel/opentelemetry-javaagent.jar"));
        assertThat(otel).as("the build copies the OpenTelemetry Java agent").exists();
        String otelAgent = "-javaagent:" + otel.toAbsolutePath();
        String stateGuard = "-javaagent:" + ForkedJvm.agentJar() + "=" + RULE;
        String key = staleKey("otel-agent-" + openTelemetryFirst);
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm jvm = ForkedJvm.create()
                    .jvmArg(openTelemetryFirst ? otelAgent : stateGuard)
                    .jvmArg(openTelemetryFirst ? stateGuard : otelAgent)
                    .jvmArg("-Dotel.service.name=tg-otel-agent")
                    .jvmArg("-Dotel.exporter.otlp.endpoint=" + receiver.endpoint())
                    .jvmArg("-Dotel.exporter.otlp.protocol=http/protobuf")
                    .jvmArg("-Dotel.metrics.exporter=none")
                    .jvmArg("-Dotel.logs.exporter=none")
                    .jvmArg("-Dotel.bsp.schedule.delay=100");
            ForkedJvm.Result result = probe(jvm, "app-span", key);
            assertThat(result.stderr()).contains("opentelemetry-javaagent - version")
                    .contains("telemetry: spans and metrics go to the OpenTelemetry Java agent");
            Map<String, String> values = result.values("probe.");

            OtlpReceiver.ReceivedSpan span = receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10));
            assertThat(span.traceId()).as(receiver.spans().toString()).isEqualTo(values.get("parent.trace"));
            assertThat(span.parentSpanId()).isEqualTo(values.get("parent.span"));
            assertThat(span.service()).as("exported by the OpenTelemetry agent").isEqualTo("tg-otel-agent");
            assertThat(span.scope()).isEqualTo("io.stateguard.agent");
            assertTheOnlyRegressionSpan(receiver, span, key);
            assertOneRegressionLogged(result, key);
            OtlpReceiver.ReceivedSpan parent = receiver.awaitSpan(s -> s.name().equals("probe.parent"),
                    Duration.ofSeconds(10));
            assertThat(parent.spanId()).isEqualTo(values.get("parent.span"));
        }
    }

    @Test
    void anApplicationWithItsOwnSdkOfAnotherApiVersionKeepsWorkingAndOurSpanJoinsIt() throws Exception {
        String key = staleKey("own-sdk");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm jvm = ForkedJvm.create().withAgent(RULE).jvmArg("-Dprobe.otlp.endpoint=" + receiver.endpoint());
            ForkedJvm.Result result = probe(jvm, "app-sdk", key);
            Map<String, String> values = result.values("probe.");
            assertThat(values.get("api.version")).as("the application's own API, not the agent's 1.68.0")
                    .isEqualTo("1.40.0");
            assertThat(result.stderr()).contains("telemetry: spans and metrics go to the application's GlobalOpenTelemetry");

            OtlpReceiver.ReceivedSpan parent = receiver.awaitSpan(s -> s.name().equals("probe.parent"),
                    Duration.ofSeconds(10));
            assertThat(parent.service()).isEqualTo("tg-own-sdk");
            OtlpReceiver.ReceivedSpan span = receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10));
            assertThat(span.service()).as("exported by the application's SDK").isEqualTo("tg-own-sdk");
            assertThat(span.traceId()).isEqualTo(values.get("parent.trace")).isEqualTo(parent.traceId());
            assertThat(span.parentSpanId()).isEqualTo(values.get("parent.span"));
            assertTheOnlyRegressionSpan(receiver, span, key);
            assertOneRegressionLogged(result, key);
        }
    }

    @ParameterizedTest(name = "stateguard.telemetry.keys={0}")
    @ValueSource(strings = {"hashed", "none"})
    void hashedAndNoneNeverExportTheRawKey(String privacy) throws Exception {
        String secret = "secret-customer-" + privacy;
        String key = staleKey(secret);
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm.Result result = probeUntilMetricsExported(embedded(receiver, RULE + ";telemetry.keys=" + privacy),
                    key, receiver);
            OtlpReceiver.ReceivedSpan span = receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10));
            if (privacy.equals("hashed")) {
                assertThat(span.attributes()).containsEntry("stateguard.key", sha256(key));
            } else {
                assertThat(span.attributes()).doesNotContainKey("stateguard.key").containsEntry("stateguard.rule", "default");
            }
            assertThat(sums(receiver.metrics(), "stateguard.inconsistencies")).as("one event").containsExactlyEntriesOf(
                    Map.of(Map.of("stateguard.rule", "default", "stateguard.inconsistency.type", "version_regression",
                            "stateguard.action", "reread_primary"), 1L));
            // The span was exported with its attributes, so "no attribute contains the secret" is evidence.
            assertThat(receiver.allAttributes()).as("every exported attribute")
                    .contains("stateguard.inconsistency.type=version_regression")
                    .noneMatch(attribute -> attribute.contains(secret));
            assertThat(result.stderr()).as("the log line follows the setting too").doesNotContain(secret);
            assertOneRegressionLogged(result, privacy.equals("hashed") ? sha256(key) : null);
        }
    }

    /**
     * The same JVM, settings and stale read twice against one receiver: first with every OTLP setting but
     * none that names an exporter (protocol, intervals, service name), which must not start the SDK, then
     * with the receiver's endpoint added. The second run connects and exports, so the first run's zero
     * requests and missing SDK threads are evidence, not an unreachable receiver.
     */
    @Test
    void withoutAnExporterNothingIsSentAndTheEventIsOneLogLine() throws Exception {
        String key = staleKey("no-exporter");
        List<String> sdkThreads = List.of("OkHttp", "BatchSpanProcessor", "PeriodicMetricReader", "stateguard-telemetry");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm.Result result = probe(withoutExporter(), "plain", key);
            assertOneRegressionLogged(result, key);
            assertThat(result.stderr()).doesNotContain("telemetry: spans");
            String threads = result.values("probe.").get("threads");
            assertThat(sdkThreads).as("no SDK, no HTTP client threads: " + threads).noneMatch(threads::contains);
            assertThat(receiver.requests()).as("nothing sent without an exporter").isZero();

            ForkedJvm.Result exporting = probe(withoutExporter()
                    .jvmArg("-Dotel.exporter.otlp.endpoint=" + receiver.endpoint()), "plain", key);
            assertOneRegressionLogged(exporting, key);
            assertThat(exporting.stderr()).contains("telemetry: spans and metrics go to the embedded OpenTelemetry SDK");
            String exportingThreads = exporting.values("probe.").get("threads");
            assertThat(sdkThreads).as("the same JVM with an exporter has the SDK's threads: " + exportingThreads)
                    .anyMatch(exportingThreads::contains);
            assertThat(receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10)).attributes())
                    .as("the receiver is reachable: the run with an exporter sent its span")
                    .containsEntry("stateguard.key", key);
            assertThat(receiver.requests()).isPositive();
        }
    }

    /** The agent and OTLP settings that configure an exporter without asking for one. */
    private static ForkedJvm withoutExporter() {
        return ForkedJvm.create().withAgent(RULE)
                .jvmArg("-Dotel.exporter.otlp.protocol=http/protobuf")
                .jvmArg("-Dotel.metric.export.interval=200")
                .jvmArg("-Dotel.bsp.schedule.delay=100")
                .jvmArg("-Dotel.service.name=tg-no-exporter");
    }

    private static String sha256(String key) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    }
}
