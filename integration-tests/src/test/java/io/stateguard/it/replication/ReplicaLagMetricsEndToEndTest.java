package io.stateguard.it.replication;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.stateguard.harness.Await;
import io.stateguard.harness.PrimaryReplicaTopology;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.StaleReplicaFixture;
import io.stateguard.it.support.OtlpReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replication monitor's metrics, exported by the embedded OpenTelemetry SDK over OTLP to a receiver of the
 * test, while another writer keeps the replica a steady 60 ms behind (the harness's lag proxy):
 * {@code stateguard.replica.lag} (seconds) and {@code stateguard.replica.lag.bytes} (bytes), one point per
 * replica, with the replica's {@code server.address} and {@code server.port}, and values that match the injected
 * lag; {@code stateguard.failovers} stays 0 (nothing failed over).
 */
class ReplicaLagMetricsEndToEndTest {

    private static final int KEYS = 10;

    @RegisterExtension
    static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = StaleReplicaFixture.laggingMasterReplica(60);

    private static String nodes() {
        return REDIS.get().nodes().stream().map(RedisNode::hostAndPort).collect(Collectors.joining(","));
    }

    /** The points of every export of a gauge, each as (its attributes, its value). */
    private static List<Map.Entry<Map<String, String>, Double>> points(List<Metric> history) {
        List<Map.Entry<Map<String, String>, Double>> points = new ArrayList<>();
        for (Metric metric : history) {
            for (NumberDataPoint point : metric.getGauge().getDataPointsList()) {
                Map<String, String> attributes = new TreeMap<>();
                point.getAttributesList().forEach(kv -> attributes.put(kv.getKey(), kv.getValue().getStringValue()));
                double value = point.getValueCase() == NumberDataPoint.ValueCase.AS_DOUBLE ? point.getAsDouble()
                        : point.getAsInt();
                points.add(Map.entry(attributes, value));
            }
        }
        return points;
    }

    @Test
    void lagInSecondsAndBytesOfTheReplicaAndNoFailover() throws Exception {
        RedisNode replica = REDIS.get().replica(0);
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            keys.add("metrics:state:" + k);
        }
        try (OtlpReceiver receiver = OtlpReceiver.start();
                ContinuousWriter writer = ContinuousWriter.start(REDIS.get().primary(), keys)) {
            ForkedJvm jvm = ForkedJvm.create().withAgent("keys=metrics:state:*;routing=causal")
                    .jvmArg("-Dotel.exporter.otlp.endpoint=" + receiver.endpoint())
                    .jvmArg("-Dotel.exporter.otlp.protocol=http/protobuf")
                    .jvmArg("-Dotel.metric.export.interval=200");
            // Reads for about 2 s (10 exports), the writer writing all along.
            try (ForkedJvm.Running app = jvm.start(CausalProbe.class.getName(), "read", nodes(), "metrics:state:",
                    String.valueOf(KEYS), "150", "12")) {
                Await.untilTrue("lag metrics of a few exports", Duration.ofSeconds(30),
                        () -> receiver.metricHistory("stateguard.replica.lag.bytes").size() >= 5,
                        () -> "metrics so far: " + receiver.metrics().keySet());
                ForkedJvm.Result result = app.await(Duration.ofSeconds(60)).assertSuccess();
                assertThat(result.stderr()).as(result.describe("the monitor ran"))
                        .contains("replication monitor: polling INFO replication of Master/Replica")
                        .doesNotContain("internal error");
            }

            Map<String, String> theReplica = Map.of("server.address", "127.0.0.1", "server.port",
                    String.valueOf(replica.port()));
            List<Metric> lag = receiver.metricHistory("stateguard.replica.lag");
            List<Metric> bytes = receiver.metricHistory("stateguard.replica.lag.bytes");
            assertThat(lag).as("exports of stateguard.replica.lag").isNotEmpty()
                    .allSatisfy(metric -> assertThat(metric.getUnit()).isEqualTo("s"));
            assertThat(bytes).as("exports of stateguard.replica.lag.bytes").isNotEmpty()
                    .allSatisfy(metric -> assertThat(metric.getUnit()).isEqualTo("By"));
            List<Map.Entry<Map<String, String>, Double>> seconds = points(lag);
            List<Map.Entry<Map<String, String>, Double>> lagBytes = points(bytes);
            String described = "lag " + seconds + "\nbytes " + lagBytes;
            assertThat(seconds).as(described).isNotEmpty()
                    .allSatisfy(point -> assertThat(point.getKey()).as("one replica, named").isEqualTo(theReplica));
            assertThat(lagBytes).as(described).isNotEmpty()
                    .allSatisfy(point -> assertThat(point.getKey()).as("one replica, named").isEqualTo(theReplica));
            // An upper bound of the lag, from 50 ms polls of a replica 60 ms behind: at least 40 ms while writes go
            // on, never seconds.
            assertThat(seconds.stream().mapToDouble(Map.Entry::getValue).max().orElse(0)).as(described)
                    .isGreaterThanOrEqualTo(0.04);
            assertThat(seconds).as(described).allSatisfy(point -> assertThat(point.getValue()).isBetween(0.0, 1.0));
            assertThat(lagBytes.stream().mapToDouble(Map.Entry::getValue).max().orElse(0)).as(described)
                    .isGreaterThan(0);
            assertThat(lagBytes).as(described).allSatisfy(point -> assertThat(point.getValue()).isBetween(0.0, 1e6));

            Metric failovers = receiver.metrics().get("stateguard.failovers");
            assertThat(failovers).as("stateguard.failovers is exported").isNotNull();
            assertThat(failovers.getSum().getDataPointsList()).singleElement()
                    .satisfies(point -> assertThat(point.getAsInt()).as("no failover").isZero());
        }
    }
}
