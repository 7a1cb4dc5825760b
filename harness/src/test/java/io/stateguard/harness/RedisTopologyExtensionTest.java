package io.stateguard.harness;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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


    /** The class's own set-up fails after the topology started (a forked gateway that never became ready, say). */
    static class SetUpFails {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(() -> PrimaryReplicaTopology.builder().replicas(0).start());

        @BeforeAll
        static void startTheGateway() {
            SEEN.add(REDIS.get());
            throw new IllegalStateException("the gateway did not start, on purpose");
        }

        @Test
        void neverRuns() {
            fail("@BeforeAll failed");
        }
    }

    /** How many topologies the lazily started classes below started. */
    private static final AtomicInteger STARTS = new AtomicInteger();

    private static PrimaryReplicaTopology countedStart() {
        STARTS.incrementAndGet();
        return PrimaryReplicaTopology.builder().replicas(0).start();
    }

    static class NoTestAsksForRedis {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(RedisTopologyExtensionTest::countedStart).onFirstUse();

        @Test
        void needsNoRedis() {
        }
    }

    static class TwoTestsAskForRedis {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(RedisTopologyExtensionTest::countedStart).onFirstUse()
                .then(redis -> redis.primary().command("SET", "prepared", "yes"));

        @Test
        void first() {
            SEEN.add(REDIS.get());
            assertThat(REDIS.get().primary().command("GET", "prepared")).isEqualTo("yes");
        }

        @Test
        void second() {
            SEEN.add(REDIS.get());
        }
    }

    /** Per test: the topology each test saw, by test name; what get() said in @BeforeAll. */
    private static final Map<String, PrimaryReplicaTopology> BY_TEST = new ConcurrentHashMap<>();

    private static final List<String> OUTSIDE_A_TEST = new CopyOnWriteArrayList<>();

    static class ATopologyPerTest {

        @RegisterExtension
        static final RedisTopologyExtension<PrimaryReplicaTopology> REDIS = RedisTopologyExtension
                .of(RedisTopologyExtensionTest::countedStart).perTest();

        @BeforeAll
        static void notYet() {
            try {
                REDIS.get();
            } catch (IllegalStateException expected) {
                OUTSIDE_A_TEST.add(expected.getMessage());
            }
        }

        @Test
        void passes() {
            BY_TEST.put("passes", REDIS.get());
            assertThat(REDIS.get()).as("the same topology for the whole test").isSameAs(BY_TEST.get("passes"));
        }

        @Test
        void failsOnPurpose() {
            BY_TEST.put("failsOnPurpose", REDIS.get());
            fail("fails on purpose");
        }

        @Test
        void needsNoRedis() {
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
    void keepsTheRedisLogsWhenTheClassSetUpFails() throws Exception {
        SEEN.clear();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(SetUpFails.class)).execute()
                .containerEvents().assertStatistics(stats -> stats.failed(1));

        assertThat(SEEN).hasSize(1);
        assertKeptLogsAndDelete(SEEN.get(0).nodes(), 1);
    }

    @Test
    void onFirstUseStartsNothingUntilATestAsks() {
        SEEN.clear();
        STARTS.set(0);
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NoTestAsksForRedis.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(STARTS).hasValue(0);

        EngineTestKit.engine("junit-jupiter").selectors(selectClass(TwoTestsAskForRedis.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(STARTS).hasValue(1);
        assertThat(SEEN).hasSize(2);
        assertThat(SEEN.get(0)).isSameAs(SEEN.get(1));
        assertThat(SEEN.get(0).nodes()).hasSize(1).noneMatch(RedisNode::isAlive)
                .allSatisfy(node -> assertThat(node.directory()).doesNotExist());
        assertThatThrownBy(TwoTestsAskForRedis.REDIS::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only while the test class runs");
    }

    @Test
    void perTestGivesEachTestItsOwnTopologyAndKeepsTheLogsOfTheFailedOne() throws Exception {
        BY_TEST.clear();
        OUTSIDE_A_TEST.clear();
        STARTS.set(0);
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(ATopologyPerTest.class)).execute()
                .testEvents().assertStatistics(stats -> stats.started(3).succeeded(2).failed(1));

        assertThat(OUTSIDE_A_TEST).containsExactly("a per-test topology runs only while a test runs"
                + " (not in @BeforeAll or @AfterAll)");
        assertThat(STARTS).as("one topology per test that asked for one").hasValue(2);
        PrimaryReplicaTopology passed = BY_TEST.get("passes");
        PrimaryReplicaTopology failed = BY_TEST.get("failsOnPurpose");
        assertThat(passed).isNotSameAs(failed);
        assertThat(passed.nodes()).hasSize(1).noneMatch(RedisNode::isAlive)
                .allSatisfy(node -> assertThat(node.directory()).as("no logs kept: the test passed").doesNotExist());
        assertKeptLogsAndDelete(failed.nodes(), 1);
    }

    @Test
    void aTopologyIsOnlyAvailableWhileItsClassRuns() {
        RedisTopologyExtension<PrimaryReplicaTopology> unused = RedisTopologyExtension
                .of(() -> PrimaryReplicaTopology.builder().start());
        assertThatThrownBy(unused::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("register the extension on a static field with @RegisterExtension");
    }

    private static void assertKeptLogsAndDelete(List<RedisNode> started, int count) throws Exception {
        List<RedisNode> nodes = new ArrayList<>(started);
        try {
            assertThat(nodes).hasSize(count).noneMatch(RedisNode::isAlive);
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
