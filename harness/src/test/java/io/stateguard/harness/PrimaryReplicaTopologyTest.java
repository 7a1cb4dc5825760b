package io.stateguard.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

@ExtendWith(NoStrayProcesses.class)
class PrimaryReplicaTopologyTest {

    @Test
    void startsAPrimaryAndReplicasThatReplicate() throws Exception {
        try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().replicas(2).start()) {
            redis.runKeepingLogsOnFailure(() -> {
                assertThat(redis.nodes()).hasSize(3).startsWith(redis.primary());
                assertThat(redis.hasLaggingReplicas()).isFalse();
                assertThat(redis.primary().role()).isEqualTo("master");
                for (RedisNode replica : redis.replicas()) {
                    List<?> role = (List<?>) replica.command("ROLE");
                    assertThat(role.get(0)).isEqualTo("slave");
                    assertThat(role.get(2)).isEqualTo((long) redis.primary().port());
                    assertThat(role.get(3)).isEqualTo("connected");
                }
                redis.primary().command("SET", "k", "v1");
                redis.awaitReplicated();
                assertThat(redis.replica(0).command("GET", "k")).isEqualTo("v1");
                assertThat(redis.replica(1).command("GET", "k")).isEqualTo("v1");
                assertThatThrownBy(() -> redis.replica(2)).isInstanceOf(IndexOutOfBoundsException.class);
                assertThatThrownBy(() -> redis.lagProxy(0)).isInstanceOf(IllegalStateException.class);
            });
        }
    }

    @Test
    void divergedReplicaServesItsOwnValueAndStaysAReplica() throws Exception {
        try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().replicas(2).start()) {
            redis.runKeepingLogsOnFailure(() -> {
                RedisNode primary = redis.primary();
                primary.command("SET", "state", "open");
                primary.command("HSET", "creds", "user", "primary-secret", "other", "same");
                // No awaitReplicated here on purpose: divergeReplica must drain in-flight writes itself.
                redis.divergeReplica(0, "state", "connecting");
                redis.divergeReplicaHashField(0, "creds", "user", "stale-secret");
                redis.divergeReplica(0, "absent-on-primary", "ghost");

                RedisNode stale = redis.replica(0);
                assertThat(stale.command("GET", "state")).isEqualTo("connecting");
                assertThat(stale.command("HGET", "creds", "user")).isEqualTo("stale-secret");
                assertThat(stale.command("HGET", "creds", "other")).isEqualTo("same");
                assertThat(stale.command("GET", "absent-on-primary")).isEqualTo("ghost");
                assertThat(stale.role()).isEqualTo("slave");
                assertThat(stale.info("replication")).containsEntry("master_link_status", "up");
                assertThat(stale.command("CONFIG", "GET", "replica-read-only")).isEqualTo(List.of("replica-read-only", "yes"));

                assertThat(primary.command("GET", "state")).isEqualTo("open");
                assertThat(primary.command("HGET", "creds", "user")).isEqualTo("primary-secret");
                assertThat(primary.command("EXISTS", "absent-on-primary")).isEqualTo(0L);
                redis.awaitReplicated();
                assertThat(redis.replica(1).command("GET", "state")).as("only replica 0 diverges").isEqualTo("open");
                assertThat(stale.command("GET", "state")).isEqualTo("connecting");

                // Other keys keep replicating; the divergence holds until the primary writes the key again.
                primary.command("SET", "other", "x");
                redis.awaitReplicated();
                assertThat(stale.command("GET", "other")).isEqualTo("x");
                assertThat(stale.command("GET", "state")).isEqualTo("connecting");
                primary.command("SET", "state", "closed");
                redis.awaitReplicated();
                assertThat(stale.command("GET", "state")).isEqualTo("closed");
            });
        }
    }

    @Test
    void pausedLagProxyHidesWritesUntilResumed() throws Exception {
        try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().laggingReplicas(true).start()) {
            redis.runKeepingLogsOnFailure(() -> {
                LagProxy proxy = redis.lagProxy(0);
                RedisNode replica = redis.replica(0);
                assertThat(replica.info("replication")).containsEntry("master_port", Integer.toString(proxy.port()));
                assertThat(replica.role()).isEqualTo("slave");
                redis.primary().command("SET", "k", "before");
                redis.awaitReplicated();
                assertThat(replica.command("GET", "k")).isEqualTo("before");

                proxy.pause();
                redis.primary().command("SET", "k", "after");
                // Once the write sits in the proxy, the replica cannot have it, however long we look.
                Await.untilTrue("the write to reach the proxy", Duration.ofSeconds(10), () -> proxy.pendingBytes() > 0, null);
                assertThat(replica.command("GET", "k")).isEqualTo("before");
                assertThat(replica.info("replication")).as("paused, not disconnected")
                        .containsEntry("master_link_status", "up");

                proxy.resume();
                redis.awaitReplicated();
                assertThat(replica.command("GET", "k")).isEqualTo("after");
            });
        }
    }

    @Test
    void delayedLagProxyPostponesWritesInOrder() throws Exception {
        try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().laggingReplicas(true).start()) {
            redis.runKeepingLogsOnFailure(() -> {
                LagProxy proxy = redis.lagProxy(0);
                RedisNode replica = redis.replica(0);
                // A delay no run reaches, shortened below: what the proxy holds is observed, never timed.
                proxy.setDelayMillis(600_000);
                for (int i = 0; i < 50; i++) {
                    redis.primary().command("INCR", "counter");
                }
                Await.untilTrue("the writes to reach the proxy", Duration.ofSeconds(10), () -> proxy.pendingBytes() > 0,
                        () -> redis.logTails(20));
                assertThat(redis.primary().command("GET", "counter")).isEqualTo("50");
                assertThat(replica.command("GET", "counter")).as("postponed: the replica has none of the writes")
                        .isNull();
                assertThat(replica.info("replication")).as("delayed, not disconnected")
                        .containsEntry("master_link_status", "up");

                proxy.setDelayMillis(1); // applies to the queued writes: due now, released in order
                List<Long> observed = new ArrayList<>();
                Await.untilTrue("the replica to see counter=50", Duration.ofSeconds(20), () -> {
                    Object value = replica.command("GET", "counter");
                    observed.add(value == null ? 0L : Long.parseLong((String) value));
                    return observed.get(observed.size() - 1) == 50L;
                }, () -> redis.logTails(20));
                assertThat(observed).as("replica values only move forward").isSorted();
            });
        }
    }

    @Test
    void markFailedKeepsTheLogs() throws IOException {
        PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().start();
        redis.markFailed();
        redis.close();
        try {
            assertThat(redis.isFailed()).isTrue();
            for (RedisNode node : redis.nodes()) {
                assertThat(node.isAlive()).isFalse();
                assertThat(node.logFile()).exists();
            }
            assertThat(redis.logTails(5)).contains(redis.primary().name(), redis.replica(0).name());
        } finally {
            for (RedisNode node : redis.nodes()) {
                deleteRecursively(node.directory());
            }
        }
    }

    @Test
    void runKeepingLogsOnFailureMarksAndRethrows() {
        try (PrimaryReplicaTopology redis = PrimaryReplicaTopology.builder().replicas(0).start()) {
            assertThatThrownBy(() -> redis.runKeepingLogsOnFailure(() -> {
                throw new AssertionError("boom");
            })).isInstanceOf(AssertionError.class).hasMessage("boom");
            assertThat(redis.isFailed()).isTrue();
            // This test did not really fail: do not leave the directories behind.
            redis.nodes().forEach(node -> assertThat(node.keepsLogs()).isFalse());
            redis.close();
            redis.nodes().forEach(node -> {
                assertThat(node.keepsLogs()).isTrue();
                try {
                    deleteRecursively(node.directory());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @Test
    void startupThatDoesNotConvergeTimesOutWithDiagnosticsAndCleansUp() throws IOException {
        // The replica cannot authenticate to the primary (which has no password), so its link never comes up.
        PrimaryReplicaTopology.Builder builder = PrimaryReplicaTopology.builder()
                .directive("masterauth", "wrong")
                .directive("requirepass", "")
                .timeout(Duration.ofSeconds(2));
        Throwable failure = catchThrowable(builder::start);
        assertThat(failure)
                .isInstanceOf(HarnessTimeoutException.class)
                .hasMessageContaining("Timed out after 2000 ms")
                .hasMessageContaining("master_link_status:down")
                .hasMessageContaining("replica-0")
                .hasMessageContaining("redis.log");
        // NoStrayProcesses checks that nothing is left running. The logs were kept for diagnosis and
        // their paths are in the message: remove them, this failure was intended.
        Matcher logs = Pattern.compile(", log (\\S+)/redis\\.log -----").matcher(failure.getMessage());
        int kept = 0;
        while (logs.find()) {
            Path directory = Path.of(logs.group(1));
            assertThat(directory).exists();
            deleteRecursively(directory);
            kept++;
        }
        assertThat(kept).isEqualTo(2);
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
