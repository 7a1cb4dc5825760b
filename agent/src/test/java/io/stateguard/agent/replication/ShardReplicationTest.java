package io.stateguard.agent.replication;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The lag a shard's timeline gives a replica: an upper bound, or none. */
class ShardReplicationTest {

    private static final long MS = 1_000_000L;
    private static final long MAX_LAG = 20 * MS;
    private static final long STALE_AFTER = 350 * MS;
    private static final String ID = "8f3c0e3b5a2d4c6e8f3c0e3b5a2d4c6e8f3c0e3b";
    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 7000);
    private static final Endpoint REPLICA = new Endpoint("127.0.0.1", 7001);

    private final ShardReplication shard = new ShardReplication();

    /** One poll round sent at {@code sentMs}: the primary at {@code primaryOffset}, the replica at {@code applied}, both answering 1 ms later. */
    private ShardView round(long sentMs, long primaryOffset, long applied) {
        long sent = sentMs * MS;
        long received = sent + MS;
        Sample primary = new Sample(ReplicationInfo.of(ReplicationInfo.Role.PRIMARY, ID, primaryOffset, true), sent,
                received);
        Sample replica = new Sample(ReplicationInfo.of(ReplicationInfo.Role.REPLICA, ID, applied, true), sent,
                received);
        return shard.update(PRIMARY, primary, List.of(REPLICA), new Sample[] {replica}, received, STALE_AFTER,
                (node, previous, current) -> {
                    throw new AssertionError("no failover");
                });
    }

    @Test
    void aReplicaBehindTheOnlySampleHasNoBoundNotTheRoundTripTime() {
        ShardView first = round(1_000, 10_000, 9_000);
        assertThat(first.complete()).as("the replica answered, link up, same ID").isTrue();
        assertThat(first.lagNanos(0)).as("behind every sample: unbounded").isEqualTo(Long.MAX_VALUE);
        assertThat(first.replicasServe(0, MAX_LAG, 1_001 * MS)).as("not within 20 ms").isFalse();
    }

    @Test
    void aReplicaCoveringASampleLagsAtMostSinceThatSampleWasSent() {
        round(1_000, 10_000, 9_000);
        ShardView second = round(1_050, 12_000, 10_500);
        assertThat(second.lagNanos(0)).as("covers the sample sent at 1000 ms, answered at 1051 ms")
                .isEqualTo(51 * MS);
        assertThat(second.replicasServe(0, MAX_LAG, 1_051 * MS)).isFalse();
        assertThat(second.replicasServe(0, 1_000 * MS, 1_051 * MS)).isTrue();
    }

    @Test
    void aReplicaThatAppliedEverythingLagsTheRoundTripTime() {
        ShardView first = round(1_000, 10_000, 10_000);
        assertThat(first.lagNanos(0)).isEqualTo(MS);
        assertThat(first.replicasServe(0, MAX_LAG, 1_001 * MS)).isTrue();
    }
}
