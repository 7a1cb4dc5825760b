package io.stateguard.it.telemetry;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.TelemetryProbe;
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
import java.util.HexFormat;
import java.util.Map;

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
        Map<String, String> values = result.values("probe.");
        assertThat(values.get("primary.read")).as(result.describe("read the primary")).isEqualTo("8");
        assertThat(values.get("replica.read")).as(result.describe("the guard re-read the primary")).isEqualTo("8");
        assertThat(result.stderr()).as(result.describe("no internal error")).doesNotContain("internal error");
        return result;
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
            ForkedJvm.Result result = probe(embedded(receiver, RULE), "plain", key);
            assertThat(result.stderr()).contains("telemetry: spans and metrics go to the embedded OpenTelemetry SDK")
                    .contains("[stateguard] WARN inconsistency type=version_regression action=reread_primary"
                            + " rule=default db=0 key=" + key);

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

            Map<String, Metric> metrics = receiver.metrics();
            assertThat(metrics).containsKeys("stateguard.inconsistencies", "stateguard.reads.routed",
                    "stateguard.tracked_keys");
            assertThat(metrics.get("stateguard.inconsistencies").getSum().getDataPointsList()).anySatisfy(point -> {
                assertThat(point.getAsInt()).isEqualTo(1);
                assertThat(point.getAttributesList().toString()).contains("version_regression").contains("reread_primary");
            });
            assertThat(metrics.get("stateguard.tracked_keys").getGauge().getDataPoints(0).getAsInt()).isPositive();
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
            assertThat(span.attributes()).containsEntry("stateguard.key", key)
                    .containsEntry("stateguard.action", "reread_primary");
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
        }
    }

    @ParameterizedTest(name = "stateguard.telemetry.keys={0}")
    @ValueSource(strings = {"hashed", "none"})
    void hashedAndNoneNeverExportTheRawKey(String privacy) throws Exception {
        String secret = "secret-customer-" + privacy;
        String key = staleKey(secret);
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm.Result result = probe(embedded(receiver, RULE + ";telemetry.keys=" + privacy), "plain", key);
            OtlpReceiver.ReceivedSpan span = receiver.awaitSpan(s -> s.name().equals(SPAN), Duration.ofSeconds(10));
            if (privacy.equals("hashed")) {
                assertThat(span.attributes()).containsEntry("stateguard.key", sha256(key));
            } else {
                assertThat(span.attributes()).doesNotContainKey("stateguard.key").containsEntry("stateguard.rule", "default");
            }
            assertThat(receiver.metrics()).containsKey("stateguard.inconsistencies");
            assertThat(receiver.allAttributes()).as("every exported attribute").isNotEmpty()
                    .noneMatch(attribute -> attribute.contains(secret));
            assertThat(result.stderr()).as("the log line follows the setting too")
                    .contains("[stateguard] WARN inconsistency type=version_regression").doesNotContain(secret);
        }
    }

    @Test
    void withoutAnExporterNothingIsSentAndTheEventIsOneLogLine() throws Exception {
        String key = staleKey("no-exporter");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm.Result result = probe(ForkedJvm.create().withAgent(RULE), "plain", key);
            assertThat(result.stderr().lines().filter(line -> line.contains("WARN inconsistency")))
                    .singleElement().asString()
                    .contains("type=version_regression action=reread_primary rule=default db=0 key=" + key);
            assertThat(result.stderr()).doesNotContain("telemetry: spans");
            assertThat(result.values("probe.").get("threads")).as("no SDK, no HTTP client threads")
                    .doesNotContain("OkHttp").doesNotContain("BatchSpanProcessor")
                    .doesNotContain("PeriodicMetricReader").doesNotContain("stateguard-telemetry");
            assertThat(receiver.requests()).isZero();
        }
    }

    private static String sha256(String key) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + HexFormat.of().formatHex(digest, 0, 8);
    }
}
