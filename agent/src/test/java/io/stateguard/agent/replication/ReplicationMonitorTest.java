package io.stateguard.agent.replication;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The monitor's bookkeeping, driven round by round ({@code tick}) with a scripted adapter: what it asks, when it
 * publishes, how it treats refusals, failures, forgotten nodes and closed topologies. Redis itself is in the
 * end-to-end tests ({@code CausalReadsEndToEndTest} and the others of {@code io.stateguard.it.replication}).
 */
class ReplicationMonitorTest {

    private static final long MS = 1_000_000L;
    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 7000);
    private static final Endpoint REPLICA = new Endpoint("127.0.0.1", 7001);

    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final List<String> failovers = new ArrayList<>();
    private final ReplicationMonitor monitor = new ReplicationMonitor(50 * MS,
            (topology, primary, before, after) -> failovers.add(primary + ":" + after), clock::get, false);

    /** A client's topology whose nodes answer what the test says. */
    static final class Scripted implements ClientTopology {
        final Object client = new Object();
        volatile List<ShardNodes> shards;
        final Map<Endpoint, String> answers = new HashMap<>();
        final List<Endpoint> asked = new ArrayList<>();
        final List<Endpoint> forgotten = new ArrayList<>();
        boolean inUse = true;
        boolean closed;
        int releases;
        RuntimeException shardsFail;

        Scripted(ShardNodes... shards) {
            this.shards = Arrays.asList(shards);
        }

        @Override
        public boolean inUse() {
            return inUse;
        }

        @Override
        public List<ShardNodes> shards() {
            if (shardsFail != null) {
                throw shardsFail;
            }
            return shards;
        }

        @Override
        public void releaseThread() {
            releases++;
        }

        @Override
        public void info(Endpoint node, InfoAnswer answer) {
            asked.add(node);
            String text = answers.get(node);
            if (text == null) {
                answer.failed(new java.net.ConnectException("Connection refused: " + node));
            } else if (text.startsWith("NOPERM")) {
                answer.refused(text);
            } else {
                answer.answered(text);
            }
        }

        @Override
        public void forget(Endpoint node) {
            forgotten.add(node);
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String describe() {
            return "scripted";
        }
    }

    private final List<Scripted> topologies = new ArrayList<>();
    private final ReplicationMonitor.TopologyFactory factory = client -> {
        for (Scripted topology : topologies) {
            if (topology.client == client) {
                return topology;
            }
        }
        return null;
    };

    private Scripted topology(ShardNodes... shards) {
        Scripted topology = new Scripted(shards);
        topologies.add(topology);
        ReplicationMonitor.addFactory(factory);
        return topology;
    }

    @AfterEach
    void stop() {
        monitor.stop();
    }

    private void round(long advanceMs) {
        clock.addAndGet(advanceMs * MS);
        monitor.tick();
    }

    @Test
    void aTopologyIsUnknownUntilItsNodesHaveAnswered() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        assertThat(monitor.view(topology.client, -1)).as("registered on first sight, not polled yet").isNull();
        assertThat(monitor.monitoredCount()).isEqualTo(1);

        round(0);
        ShardView view = monitor.view(topology.client, -1);
        assertThat(view).isNotNull();
        assertThat(view.complete()).isTrue();
        assertThat(view.replicasServe(WriteAcks.NEVER, 1000 * MS, clock.get())).isTrue();
        assertThat(topology.asked).containsExactly(PRIMARY, REPLICA);

        List<String> lags = new ArrayList<>();
        monitor.lags((replica, lagNanos, lagBytes) -> lags.add(replica + " " + lagBytes));
        assertThat(lags).containsExactly(REPLICA + " 0");
    }

    @Test
    void objectsNoAdapterKnowsAreNotMonitoredAndAskedAboutOnce() {
        topology();
        Object unknown = new Object();
        assertThat(monitor.view(unknown, -1)).isNull();
        assertThat(monitor.view(unknown, -1)).isNull();
        assertThat(monitor.monitoredCount()).isZero();
        assertThat(monitor.view(null, -1)).isNull();
    }

    @Test
    void aRefusingNodeIsAskedAgainOnlyAfterAMinute() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, "NOPERM this user has no permissions to run the 'info' command");
        monitor.view(topology.client, -1);
        round(0);
        round(50);
        round(50);
        assertThat(topology.asked).containsExactly(PRIMARY, REPLICA, PRIMARY, PRIMARY);
        assertThat(monitor.view(topology.client, -1).complete()).as("the replica's offsets are unknown").isFalse();
        round(60_000);
        assertThat(topology.asked).endsWith(PRIMARY, REPLICA);
    }

    @Test
    void anUnreachableNodeIsAskedEveryRoundAndCountsAsUnknown() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        monitor.view(topology.client, -1);
        round(0);
        round(50);
        assertThat(topology.asked).containsExactly(PRIMARY, REPLICA, PRIMARY, REPLICA);
        assertThat(monitor.view(topology.client, -1).complete()).isFalse();
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        round(50);
        assertThat(monitor.view(topology.client, -1).complete()).as("back once it answers").isTrue();
    }

    @Test
    void nodesTheClientNoLongerKnowsAreForgottenAndAFailoverIsReportedOnce() {
        Endpoint promoted = REPLICA;
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        monitor.view(topology.client, -1);
        round(0);
        // Sentinel promoted the replica; the client's view follows, the old primary is gone.
        topology.shards = Collections.singletonList(new ShardNodes(promoted, Collections.<Endpoint>emptyList(), null));
        topology.answers.put(promoted, InfoTexts.primary(InfoTexts.ID_B, 130));
        round(50);
        round(50);
        assertThat(topology.forgotten).containsExactly(PRIMARY);
        assertThat(failovers).containsExactly(promoted + ":" + InfoTexts.ID_B);
        assertThat(monitor.failovers()).isEqualTo(1);
        assertThat(monitor.view(topology.client, -1).primary()).isEqualTo(promoted);
    }

    @Test
    void clusterShardsAreFoundBySlot() {
        Endpoint otherPrimary = new Endpoint("127.0.0.1", 7002);
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), new int[] {0, 1, 2}),
                new ShardNodes(otherPrimary, Collections.<Endpoint>emptyList(), new int[] {3, 16383}));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        topology.answers.put(otherPrimary, InfoTexts.primary(InfoTexts.ID_B, 5));
        monitor.view(topology.client, 0);
        round(0);
        assertThat(monitor.view(topology.client, 2).primary()).isEqualTo(PRIMARY);
        assertThat(monitor.view(topology.client, 16383).primary()).isEqualTo(otherPrimary);
        assertThat(monitor.view(topology.client, 4)).as("a slot no shard serves").isNull();
        assertThat(monitor.view(topology.client, -1)).as("no slot in a Cluster").isNull();
    }

    @Test
    void aTopologyTheApplicationClosedIsDroppedWithItsConnections() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        monitor.view(topology.client, -1);
        round(0);
        topology.inUse = false;
        round(50);
        assertThat(topology.closed).isTrue();
        assertThat(monitor.monitoredCount()).isZero();
    }

    @Test
    void theGuardReadsThePrimarysReplicationIdOnTheMonitorsConnection() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.singletonList(REPLICA), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 100));
        topology.answers.put(REPLICA, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        List<String> answers = new ArrayList<>();
        assertThat(monitor.readPrimaryId(topology.client, (id, refusal) -> answers.add(id + "/" + refusal)))
                .as("not polled yet: the caller asks elsewhere").isFalse();
        assertThat(monitor.readPrimaryId(null, (id, refusal) -> answers.add("null"))).isFalse();
        round(0);
        int asked = topology.asked.size();
        assertThat(monitor.readPrimaryId(topology.client, (id, refusal) -> answers.add(id + "/" + refusal))).isTrue();
        assertThat(topology.asked.subList(asked, topology.asked.size())).as("a fresh read of the primary")
                .containsExactly(PRIMARY);
        topology.answers.put(PRIMARY, "NOPERM no INFO for you");
        monitor.readPrimaryId(topology.client, (id, refusal) -> answers.add(id + "/" + refusal));
        topology.answers.remove(PRIMARY);
        monitor.readPrimaryId(topology.client, (id, refusal) -> answers.add(id + "/" + refusal));
        topology.answers.put(PRIMARY, InfoTexts.replica(InfoTexts.ID_A, 100, true));
        monitor.readPrimaryId(topology.client, (id, refusal) -> answers.add(id + "/" + refusal));
        assertThat(answers).containsExactly(InfoTexts.ID_A + "/null", "null/NOPERM no INFO for you", "null/null",
                "null/null");
        assertThat(answers).as("never called back when it returned false").doesNotContain("null");
    }

    @Test
    void aClusterHasNoSingleReplicationIdToRead() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), new int[] {0}));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 1));
        monitor.view(topology.client, 0);
        round(0);
        assertThat(monitor.readPrimaryId(topology.client, (id, refusal) -> { })).isFalse();
    }

    @Test
    void aFailingAdapterIsCountedAndTheRoundGoesOn() {
        Object strange = new Object();
        ReplicationMonitor.TopologyFactory throwing = client -> {
            if (client == strange) {
                throw new IllegalStateException("adapter broke");
            }
            return null;
        };
        ReplicationMonitor.addFactory(throwing);
        assertThat(monitor.view(strange, -1)).as("an adapter that throws: not monitored").isNull();
        assertThat(monitor.monitoredCount()).isZero();
        Scripted broken = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), null));
        Scripted healthy = topology(new ShardNodes(REPLICA, Collections.<Endpoint>emptyList(), null));
        healthy.answers.put(REPLICA, InfoTexts.primary(InfoTexts.ID_B, 1));
        assertThat(monitor.view(broken.client, -1)).isNull();
        assertThat(monitor.view(healthy.client, -1)).isNull();
        broken.shardsFail = new IllegalStateException("no nodes");
        round(0);
        assertThat(monitor.view(healthy.client, -1)).as("the other topology was polled").isNotNull();
        assertThat(broken.releases).as("the thread is released after every round, failed or not").isEqualTo(1);
        assertThat(healthy.releases).isEqualTo(1);
    }

    @Test
    void stoppingClosesEveryTopologyAndAnswersNothingMore() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 1));
        monitor.view(topology.client, -1);
        round(0);
        monitor.stop();
        assertThat(topology.closed).isTrue();
        assertThat(monitor.monitoredCount()).isZero();
        assertThat(monitor.view(topology.client, -1)).isNull();
        assertThat(monitor.readPrimaryId(topology.client, (id, refusal) -> { })).isFalse();
    }

    @Test
    void anInstalledMonitorPollsOnItsOwnDaemonThreadUntilUninstalled() throws Exception {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 1));
        ReplicationMonitor polling = new ReplicationMonitor(10 * MS, null, System::nanoTime);
        ReplicationMonitor.install(polling);
        try {
            assertThat(ReplicationMonitor.current()).isSameAs(polling);
            polling.view(topology.client, -1);
            long deadline = System.nanoTime() + 5_000 * MS;
            while (polling.view(topology.client, -1) == null && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(polling.view(topology.client, -1)).as("polled without anyone calling tick").isNotNull();
            Thread thread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("stateguard-replication-monitor")).findFirst().orElseThrow();
            assertThat(thread.isDaemon()).isTrue();
            assertThat(thread.getContextClassLoader()).isNull();
        } finally {
            ReplicationMonitor.uninstall();
        }
        assertThat(ReplicationMonitor.current()).isNull();
        assertThat(topology.closed).as("uninstalling stops the monitor").isTrue();
    }

    @Test
    void aTopologyDroppedFromTheCacheIsLookedUpAgain() {
        Scripted topology = topology(new ShardNodes(PRIMARY, Collections.<Endpoint>emptyList(), null));
        topology.answers.put(PRIMARY, InfoTexts.primary(InfoTexts.ID_A, 1));
        monitor.view(topology.client, -1);
        round(0);
        assertThat(monitor.view(topology.client, -1)).isNotNull();
        topology.inUse = false;
        round(50);
        assertThat(topology.releases).isEqualTo(2);
        topology.inUse = true;
        topology.closed = false;
        assertThat(monitor.view(topology.client, -1)).as("forgotten everywhere: registered anew").isNull();
        assertThat(monitor.monitoredCount()).isEqualTo(1);
    }
}
