package io.stateguard.it.guard;

import io.stateguard.it.support.InconsistencyEvents;
import io.stateguard.harness.NoStrayProcesses;
import io.stateguard.harness.RedisNode;
import io.stateguard.harness.RedisTopologyExtension;
import io.stateguard.harness.SentinelTopology;
import io.stateguard.it.probe.FailoverProbe;
import io.stateguard.it.probe.RedissonFailoverProbe;
import io.stateguard.it.support.ForkedJvm;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Sentinel failover that loses the latest write: the promoted replica never received
 * version 7 of the state key. The application has read version 7 on the old primary; after the
 * failover the new primary can only offer version 6. The agent cannot bring 7 back, so it reports a
 * {@code primary_regression} once, resets the mark to the new primary's version, and the application
 * keeps working without the old version being reported again. The same for a Lettuce and a Redisson application
 * (the proof reads the master's replication ID through each client's own connections).
 */
class FailoverRegressionEndToEndTest {

    private static final String KEY = "fo:state:instance1";

    /** No redis-server may outlive the class. */
    @RegisterExtension
    @Order(1) // registered first, so that it checks last: after the Sentinel group is closed
    static final NoStrayProcesses NO_STRAYS = NoStrayProcesses.afterClass("redis");

    /** A primary, a replica and 3 Sentinels, for each test (a failover ends them); logs kept if a test fails. */
    @RegisterExtension
    @Order(2)
    static final RedisTopologyExtension<SentinelTopology> SENTINEL = RedisTopologyExtension
            .of(() -> SentinelTopology.builder().replicas(1).start()).perTest();

    @ParameterizedTest(name = "{0}")
    @ValueSource(classes = {FailoverProbe.class, RedissonFailoverProbe.class})
    void lostWriteAfterSentinelFailoverIsReportedOnceAsPrimaryRegression(Class<?> probeClass, @TempDir Path dir)
            throws Exception {
        SentinelTopology topology = SENTINEL.get();
        RedisNode primary = topology.primary();
        primary.command("SET", KEY, "{\"state\":\"connecting\",\"version\":6}");
        topology.awaitReplicated();
        // Version 7 exists on the primary only: the write a failover loses.
        primary.command("EVAL", "redis.set_repl(redis.REPL_NONE) return redis.call('SET', KEYS[1], ARGV[1])", "1",
                KEY, "{\"state\":\"open\",\"version\":7}");

        String sentinels = String.join(",", topology.sentinels().stream().map(RedisNode::hostAndPort).toList());
        ForkedJvm jvm = ForkedJvm.create().withAgent("keys=fo:state:*;version=json:/version");
        CompletableFuture<ForkedJvm.Result> probe = CompletableFuture.supplyAsync(() -> {
            try {
                return jvm.run(probeClass.getName(), sentinels, topology.masterName(), KEY, dir.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            awaitFile(dir.resolve("ready"), probe);
            RedisNode old = topology.killPrimary();
            topology.awaitNewPrimary(old);
            awaitFile(dir.resolve("changed"), probe);
        } finally {
            Files.createFile(dir.resolve("stop"));
        }
        ForkedJvm.Result result = probe.get(120, TimeUnit.SECONDS).assertSuccess();
        assertThat(result.values("probe.").get("sequence")).as(result.describe("saw another sequence"))
                .isEqualTo("7,6");
        // Reads of a primary-routed rule that go backwards are primary regressions; the node is the new primary.
        InconsistencyEvents.assertExactly(result.stderr(), List.of(new InconsistencyEvents.Event(
                "primary_regression", "reported", "default", 0, KEY, "GET", 7, "6",
                topology.primary().hostAndPort(), "primary")));
        assertThat(result.stderr()).doesNotContain("internal error");
    }

    private static void awaitFile(Path file, CompletableFuture<?> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            if (probe.isDone()) {
                probe.get(); // surfaces the probe's failure
                throw new AssertionError("probe ended before " + file.getFileName());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for the probe to write " + file.getFileName());
            }
            Thread.sleep(50);
        }
    }
}
