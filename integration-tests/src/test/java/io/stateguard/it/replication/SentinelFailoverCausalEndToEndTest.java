package io.stateguard.it.replication;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.CausalProbe;
import io.stateguard.it.support.CommandStats;
import io.stateguard.it.support.ForkedJvm;
import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.it.support.OtlpReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Sentinel failover ({@code SENTINEL FAILOVER}: the replica is promoted, the old primary becomes its replica)
 * in the middle of a {@code routing=causal} loop of an application with the agent, which reaches Redis through
 * Sentinel and reads from replicas: each round writes one of 12 keys and reads all of them, so reads of keys
 * written a moment ago go to the primary and reads of keys written a while ago to the replica, before the
 * failover and after it (counted by the replica's {@code INFO commandstats}).
 *
 * <ul>
 *   <li>The replication monitor proves the failover once: exactly one {@code stateguard.failover} span (exported
 *       by the embedded SDK to a receiver of the test) naming the new primary, one {@code failover:} log line,
 *       and {@code stateguard.failovers} = 1.</li>
 *   <li>No read is stale: a read older than the round's write while the primary holds that write. A write the
 *       old primary acknowledged but did not replicate before the promotion is lost for every client; the probe
 *       counts it apart ({@code lost}), as it is no stale read (see {@code CausalProbe#failoverLoop}).</li>
 * </ul>
 */
class SentinelFailoverCausalEndToEndTest {

    @RegisterExtension
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = RedisTopologyExtension
            .of(() -> SentinelTopology.builder().replicas(1).start());

    /**
     * Through Sentinel too, keys written long ago are read from the replica: the monitor asks each node itself
     * (not the primary Sentinel names) for its offsets.
     */
    @Test
    void keysWrittenLongAgoAreReadFromTheReplica() throws Exception {
        SentinelTopology sentinel = SENTINEL.get();
        sentinel.awaitSettled();
        RedisNode replica = sentinel.replicas().get(0);
        long before = CommandStats.calls(replica, "get");
        ForkedJvm.Result with = ForkedJvm.create().withAgent("keys=fo:*;routing=causal")
                .run(CausalProbe.class.getName(), "written-long-ago", sentinel.sentinelUri(), "fo:old:", "20", "20",
                        "500")
                .assertSuccess();
        assertThat(with.values("")).as(with.describe("values written 0.5 s before are read as written"))
                .containsEntry("stale", "0").containsEntry("reads", "400");
        long fromReplica = CommandStats.calls(replica, "get") - before;
        assertThat(fromReplica).as(with.describe("replica GETs " + fromReplica)).isGreaterThanOrEqualTo(360);
        assertThat(with.stderr()).doesNotContain("internal error");
    }

    @Test
    void oneFailoverSpanAndNoStaleRead(@TempDir Path directory) throws Exception {
        SentinelTopology sentinel = SENTINEL.get();
        RedisNode first = sentinel.primary();
        RedisNode replica = sentinel.replicas().get(0);
        Path stop = directory.resolve("stop");
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ForkedJvm jvm = ForkedJvm.create().withAgent("keys=fo:*;routing=causal")
                    .jvmArg("-Dotel.exporter.otlp.endpoint=" + receiver.endpoint())
                    .jvmArg("-Dotel.exporter.otlp.protocol=http/protobuf")
                    .jvmArg("-Dotel.metric.export.interval=200")
                    .jvmArg("-Dotel.bsp.schedule.delay=100");
            ForkedJvm.Result result;
            RedisNode promoted;
            long replicaReadsBefore;
            long replicaReadsAfter;
            try (ForkedJvm.Running app = jvm.start(CausalProbe.class.getName(), "failover-loop",
                    sentinel.sentinelUri(), "fo:", "12", "0", stop.toString())) {
                app.awaitLine(line -> line.equals("looping=true"), Duration.ofSeconds(60));
                long replicaGets = CommandStats.calls(replica, "get");
                Thread.sleep(1_000); // the monitor knows the shard, causal reads are under way
                replicaReadsBefore = CommandStats.calls(replica, "get") - replicaGets;
                promoted = sentinel.failover();
                sentinel.awaitSettled();
                receiver.awaitSpan(span -> span.name().equals("stateguard.failover"), Duration.ofSeconds(20));
                Thread.sleep(500);
                long firstGets = CommandStats.calls(first, "get");
                Thread.sleep(1_000); // rounds against the settled topology
                replicaReadsAfter = CommandStats.calls(first, "get") - firstGets;
                Files.createFile(stop);
                result = app.await(Duration.ofSeconds(30)).assertSuccess();
            }
            Map<String, String> values = result.values("");
            System.out.println("[sentinel-causal] " + values);
            assertThat(promoted).as("Sentinel promoted the replica").isSameAs(replica);
            assertThat(first.role()).as("the old primary is a replica now").isEqualTo("slave");

            assertThat(values.get("stale")).as(result.describe("no stale read across the failover")).isEqualTo("0");
            assertThat(replicaReadsBefore).as(result.describe("the replica served reads of keys written a while ago"
                    + " before the failover")).isPositive();
            assertThat(replicaReadsAfter).as(result.describe("the old primary, now a replica, served such reads"
                    + " after it")).isPositive();
            assertThat(Long.parseLong(values.get("reads"))).as(result.describe("the loop ran")).isGreaterThan(200);
            assertThat(Long.parseLong(values.get("errors"))).as(result.describe("errors only around the switch"))
                    .isLessThan(Long.parseLong(values.get("reads")) / 4);

            assertThat(result.stderr().lines().filter(line -> line.contains("WARN failover:")))
                    .as(result.describe("one failover logged")).singleElement().asString()
                    .contains(replica.hostAndPort());
            assertThat(result.stderr()).doesNotContain("internal error");
            assertThat(InconsistencyEvents.parse(result.stderr())).isEmpty();

            assertThat(receiver.spans().stream().filter(span -> span.name().equals("stateguard.failover")))
                    .as("exactly one failover span: %s", receiver.spans()).singleElement()
                    .satisfies(span -> assertThat(span.attributes())
                            .containsEntry("server.address", "127.0.0.1")
                            .containsEntry("server.port", String.valueOf(replica.port()))
                            .containsKeys("stateguard.replication_id.previous", "stateguard.replication_id.current"));
            Metric failovers = receiver.metrics().get("stateguard.failovers");
            assertThat(failovers).as("stateguard.failovers is exported").isNotNull();
            assertThat(failovers.getSum().getDataPointsList()).singleElement()
                    .satisfies(point -> assertThat(point.getAsInt()).as("one failover").isEqualTo(1));
        }
    }
}
