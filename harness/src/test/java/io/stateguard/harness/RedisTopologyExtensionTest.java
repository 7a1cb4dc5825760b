package io.stateguard.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The extension's contract, as a team using the harness relies on it: one topology per test class, started
 * before the first test and closed after the last, and the Redis logs kept when a test of the class failed.
 * The classes below are run through the JUnit engine by these tests (they are not test classes of their own).
 */
class RedisTopologyExtensionTest {

    /** The topologies the classes below saw, one entry per test. */
    private static final List<PrimaryReplicaTopology> SEEN = new CopyOnWriteArrayList<>();

    /** The README's example: a replica that misses the writes made while its lag proxy is paused. */
    static class TwoTestsOnAStaleReplica {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(() -> PrimaryReplicaTopology.builder().replicas(1).laggingReplicas(true).start())
                .then(redis -> redis.primary().command("SET", "state", "v1"));

        @Test
        void theReplicaMissesWritesWhileItsProxyIsPaused() {
            PrimaryReplicaTopology redis = REDIS.get();
            SEEN.add(redis);
            redis.awaitReplicated();
            redis.lagProxy(0).pause();
            try {
                redis.primary().command("SET", "state", "v2");
                assertThat(redis.replica(0).command("GET", "state")).isEqualTo("v1");
                assertThat(redis.primary().command("GET", "state")).isEqualTo("v2");
            } finally {
                redis.lagProxy(0).resume();
            }
            redis.awaitReplicated();
            assertThat(redis.replica(0).command("GET", "state")).isEqualTo("v2");
        }

        @Test
        void theSecondTestGetsTheSameTopology() {
            SEEN.add(REDIS.get());
        }
    }

    static class OneFailingTest {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(() -> PrimaryReplicaTopology.builder().replicas(1).start());

        @Test
        void failsOnPurpose() {
            SEEN.add(REDIS.get());
            fail("fails on purpose");
        }
    }

    @Test
    void startsOneTopologyPerClassAndClosesItAfterTheLastTest() {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(TwoTestsOnAStaleReplica.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));

        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
        List<RedisNode> nodes = SEEN.get(0).nodes();
        assertThat(nodes).hasSize(2).noneMatch(RedisNode::isAlive);
        assertThat(nodes).as("no logs kept: every test passed")
                .allSatisfy(node -> assertThat(node.directory()).doesNotExist());
        assertThatThrownBy(TwoTestsOnAStaleReplica.REDIS::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only while the test class runs");
    }

    @Test
    void keepsTheRedisLogsOfAClassWithAFailedTest() throws Exception {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(OneFailingTest.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(0).failed(1));

        assertThat(SEEN).hasSize(1);
        List<RedisNode> nodes = new ArrayList<>(SEEN.get(0).nodes());
        try {
            assertThat(nodes).hasSize(2).noneMatch(RedisNode::isAlive);
            assertThat(nodes).allSatisfy(node -> {
                assertThat(node.keepsLogs()).isTrue();
                assertThat(node.logFile()).exists();
                assertThat(Files.readString(node.logFile())).contains("Ready to accept connections");
            });
        } finally {
            for (RedisNode node : nodes) {
                deleteRecursively(node.directory());
            }
        }
    }

    @Test
    void aTopologyIsOnlyAvailableWhileItsClassRuns() {
        RedisTopologyExtension<PrimaryReplicaTopology> unused = RedisTopologyExtension
                .of(() -> PrimaryReplicaTopology.builder().start());
        assertThatThrownBy(unused::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("register the extension on a static field with @RegisterExtension");
    }

    private static void deleteRecursively(Path directory) throws Exception {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
