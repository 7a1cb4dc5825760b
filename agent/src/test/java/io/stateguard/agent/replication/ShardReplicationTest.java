package io.stateguard.agent.replication;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Lag from the primary's offset timeline, failovers from its replication ID, and what a view allows. */
class ShardReplicationTest {

    private static final long MS = 1_000_000L;
    private static final long STALE = 350 * MS;
    private static final Endpoint PRIMARY = new Endpoint("127.0.0.1", 6379);
    private static final Endpoint REPLICA = new Endpoint("127.0.0.1", 6380);

    private final ShardReplication shard = new ShardReplication();
    private final List<String> failovers = new ArrayList<>();

    private static Sample primary(String id, long offset, long sentMs) {
        return new Sample(ReplicationInfo.parse(InfoTexts.primary(id, offset)), sentMs * MS, sentMs * MS + MS / 2);
    }

    private static Sample replica(String id, long applied, long receivedMs, boolean linkUp) {
        return new Sample(ReplicationInfo.parse(InfoTexts.replica(id, applied, linkUp)), receivedMs * MS - MS / 2,
                receivedMs * MS);
    }

    private ShardView round(Sample primary, Sample replica, long nowMs) {
        return shard.update(PRIMARY, primary, Arrays.asList(REPLICA), new Sample[] {replica}, nowMs * MS, STALE,
                (node, before, after) -> failovers.add(node + " " + before + " -> " + after));
    }

    @Test
    void aCaughtUpReplicaLagsNoMoreThanTheRoundTrip() {
        ShardView view = round(primary(InfoTexts.ID_A, 1000, 100), replica(InfoTexts.ID_A, 1000, 101, true), 102);
        assertThat(view.complete()).isTrue();
        assertThat(view.lagBytes(0)).isZero();
        assertThat(view.lagNanos(0)).isEqualTo(1 * MS);
        assertThat(view.replicasServe(WriteAcks.NEVER, 20 * MS, 102 * MS)).isTrue();
    }

    @Test
    void aReplicaBehindLagsFromTheNewestPrimarySampleItCovers() {
        round(primary(InfoTexts.ID_A, 1000, 100), null, 100);
        round(primary(InfoTexts.ID_A, 2000, 150), null, 150);
        // At 201 ms the replica has applied 1500: it covers the sample of 100 ms (1000), not the one of 150 ms.
        ShardView view = round(primary(InfoTexts.ID_A, 3000, 200), replica(InfoTexts.ID_A, 1500, 201, true), 201);
        assertThat(view.lagNanos(0)).isEqualTo(101 * MS);
        assertThat(view.lagBytes(0)).isEqualTo(1500);
        assertThat(view.worstLagNanos()).isEqualTo(101 * MS);
        assertThat(view.replicasServe(WriteAcks.NEVER, 1000 * MS, 201 * MS)).as("within 1 s").isTrue();
        assertThat(view.replicasServe(WriteAcks.NEVER, 100 * MS, 201 * MS)).as("beyond 100 ms").isFalse();
    }

    @Test
    void aWriteIsVisibleOnReplicasOnlyOnceTheyAppliedTheOffsetSampledAfterItsAcknowledgement() {
        round(primary(InfoTexts.ID_A, 1000, 100), replica(InfoTexts.ID_A, 1000, 101, true), 101);
        long ack = 120 * MS; // the write's reply arrived at 120 ms: no sample was sent after it yet
        ShardView before = round(primary(InfoTexts.ID_A, 1000, 100), replica(InfoTexts.ID_A, 1000, 121, true), 121);
        assertThat(before.offsetSentAfter(ack)).isEqualTo(ShardView.NOT_YET);
        assertThat(before.replicasServe(ack, 1000 * MS, 121 * MS)).isFalse();

        ShardView sampled = round(primary(InfoTexts.ID_A, 1040, 150), replica(InfoTexts.ID_A, 1000, 151, true), 151);
        assertThat(sampled.offsetSentAfter(ack)).isEqualTo(1040);
        assertThat(sampled.replicasServe(ack, 1000 * MS, 151 * MS)).as("applied 1000 < 1040").isFalse();
        assertThat(sampled.replicasServe(WriteAcks.NEVER, 1000 * MS, 151 * MS)).as("keys not written").isTrue();

        ShardView applied = round(primary(InfoTexts.ID_A, 1040, 200), replica(InfoTexts.ID_A, 1040, 201, true), 201);
        assertThat(applied.replicasServe(ack, 1000 * MS, 201 * MS)).isTrue();
        assertThat(applied.offsetSentAfter(10 * MS)).as("an ack older than every sample: the oldest offset")
                .isEqualTo(1000);
    }

    @Test
    void anUnusableReplicaSendsEverythingToThePrimary() {
        assertThat(round(primary(InfoTexts.ID_A, 1000, 100), replica(InfoTexts.ID_A, 1000, 101, false), 101)
                .replicasServe(WriteAcks.NEVER, 1000 * MS, 101 * MS)).as("link down").isFalse();
        assertThat(round(primary(InfoTexts.ID_A, 1000, 150), replica(InfoTexts.ID_B, 1000, 151, true), 151)
                .replicasServe(WriteAcks.NEVER, 1000 * MS, 151 * MS)).as("another history").isFalse();
        assertThat(round(primary(InfoTexts.ID_A, 1000, 200), null, 201)
                .replicasServe(WriteAcks.NEVER, 1000 * MS, 201 * MS)).as("never answered").isFalse();
        ShardView old = round(primary(InfoTexts.ID_A, 1000, 900), replica(InfoTexts.ID_A, 1000, 300, true), 901);
        assertThat(old.usable(0)).as("an answer older than the staleness bound").isFalse();
        ShardView fresh = round(primary(InfoTexts.ID_A, 1000, 950), replica(InfoTexts.ID_A, 1000, 951, true), 951);
        assertThat(fresh.replicasServe(WriteAcks.NEVER, 1000 * MS, 951 * MS)).isTrue();
        assertThat(fresh.replicasServe(WriteAcks.NEVER, 1000 * MS, (951 + 351) * MS))
                .as("a view nobody refreshed for longer than the staleness bound").isFalse();
    }

    @Test
    void aNodeTheClientTakesForThePrimaryButIsNotOneProvesNothing() {
        Sample demoted = replica(InfoTexts.ID_A, 1000, 100, true);
        ShardView view = round(demoted, replica(InfoTexts.ID_A, 1000, 101, true), 101);
        assertThat(view.complete()).isFalse();
        assertThat(view.replicationId()).isNull();
        assertThat(failovers).isEmpty();
    }

    @Test
    void aNewReplicationIdOfThePrimaryIsOneFailoverAndStartsANewTimeline() {
        round(primary(InfoTexts.ID_A, 5000, 100), replica(InfoTexts.ID_A, 5000, 101, true), 101);
        round(primary(InfoTexts.ID_A, 5000, 150), replica(InfoTexts.ID_A, 5000, 151, true), 151);
        assertThat(failovers).isEmpty();
        ShardView after = round(primary(InfoTexts.ID_B, 4900, 200), replica(InfoTexts.ID_A, 5000, 201, true), 201);
        assertThat(failovers).containsExactly(PRIMARY + " " + InfoTexts.ID_A + " -> " + InfoTexts.ID_B);
        assertThat(after.replicationId()).isEqualTo(InfoTexts.ID_B);
        assertThat(after.usable(0)).as("the replica still follows the old history").isFalse();
        assertThat(after.offsetSentAfter(0)).as("only the new history's samples").isEqualTo(4900);
        round(primary(InfoTexts.ID_B, 4950, 250), replica(InfoTexts.ID_B, 4950, 251, true), 251);
        assertThat(failovers).as("one failover, not one per round").hasSize(1);
    }

    @Test
    void theTimelineKeepsItsNewestSamples() {
        for (int i = 0; i < ShardReplication.TIMELINE + 10; i++) {
            round(primary(InfoTexts.ID_A, 1000 + i, 100 + i), null, 100 + i);
        }
        ShardView view = round(primary(InfoTexts.ID_A, 2000, 1000), replica(InfoTexts.ID_A, 1005, 1000, true), 1000);
        assertThat(view.offsetSentAfter(0)).as("the oldest kept sample").isEqualTo(1000 + 11 + 0);
        assertThat(view.lagNanos(0)).as("behind every kept sample: no upper bound is known")
                .isEqualTo(Long.MAX_VALUE);
        assertThat(view.replicasServe(WriteAcks.NEVER, 3_600_000 * MS, 1000 * MS)).isFalse();
    }

    // One round sent at sentMs: the primary at primaryOffset, the replica at applied, both answering 1 ms later.
    private ShardView round(long sentMs, long primaryOffset, long applied) {
        long sent = sentMs * MS;
        long received = sent + MS;
        Sample primary = new Sample(ReplicationInfo.of(ReplicationInfo.Role.PRIMARY, InfoTexts.ID_A, primaryOffset, true),
                sent, received);
        Sample replica = new Sample(ReplicationInfo.of(ReplicationInfo.Role.REPLICA, InfoTexts.ID_A, applied, true),
                sent, received);
        return shard.update(PRIMARY, primary, Arrays.asList(REPLICA), new Sample[] {replica}, received, STALE,
                (node, previous, current) -> failovers.add(node + " " + previous + " -> " + current));
    }

    @Test
    void aReplicaBehindTheOnlySampleHasNoBoundNotTheRoundTripTime() {
        ShardView first = round(1_000, 10_000, 9_000);
        assertThat(first.complete()).as("the replica answered, link up, same ID").isTrue();
        assertThat(first.lagNanos(0)).as("behind every sample: unbounded").isEqualTo(Long.MAX_VALUE);
        assertThat(first.replicasServe(0, 20 * MS, 1_001 * MS)).as("not within 20 ms").isFalse();
    }

    @Test
    void aReplicaCoveringASampleLagsAtMostSinceThatSampleWasSent() {
        round(1_000, 10_000, 9_000);
        ShardView second = round(1_050, 12_000, 10_500);
        assertThat(second.lagNanos(0)).as("covers the sample sent at 1000 ms, answered at 1051 ms")
                .isEqualTo(51 * MS);
        assertThat(second.replicasServe(0, 20 * MS, 1_051 * MS)).isFalse();
        assertThat(second.replicasServe(0, 1_000 * MS, 1_051 * MS)).isTrue();
    }

    @Test
    void aReplicaThatAppliedEverythingLagsTheRoundTripTime() {
        ShardView first = round(1_000, 10_000, 10_000);
        assertThat(first.lagNanos(0)).isEqualTo(MS);
        assertThat(first.replicasServe(0, 20 * MS, 1_001 * MS)).isTrue();
    }

    @Test
    void aReplicaBehindEverySampleLagsAtLeastSinceTheOldestOne() {
        round(1_000, 10_000, 9_000);
        round(1_050, 11_000, 9_000);
        ShardView view = round(1_100, 12_000, 9_000);
        assertThat(view.worstLagNanos()).as("no upper bound").isEqualTo(Long.MAX_VALUE);
        assertThat(view.worstKnownLagNanos()).as("at least since the oldest sample, sent at 1000 ms")
                .isEqualTo(101 * MS);
        ShardView covered = round(1_150, 12_000, 11_000);
        assertThat(covered.worstKnownLagNanos()).as("covers the sample of 1050 ms: the upper bound")
                .isEqualTo(covered.worstLagNanos()).isEqualTo(101 * MS);
    }

    @Test
    void offsetsGoingBackUnderOneIdStartANewTimeline() {
        round(1_000, 10_000, 10_000);
        ShardView view = round(1_050, 500, 500);
        assertThat(view.offsetSentAfter(0)).as("the old samples are not comparable any more").isEqualTo(500);
        assertThat(failovers).as("not a failover: the ID did not change").isEmpty();
    }

    @Test
    void answersExactlyAsOldAsTheBoundAreStillUsed() {
        Sample primary = primary(InfoTexts.ID_A, 1000, 100);
        Sample replica = replica(InfoTexts.ID_A, 1000, 101, true);
        long fresh = 101 * MS + STALE;
        ShardView atBound = shard.update(PRIMARY, primary, Arrays.asList(REPLICA), new Sample[] {replica}, fresh - MS / 2,
                STALE, (node, before, after) -> { });
        assertThat(atBound.complete()).isTrue();
        ShardView beyond = shard.update(PRIMARY, primary, Arrays.asList(REPLICA), new Sample[] {replica}, fresh + 1,
                STALE, (node, before, after) -> { });
        assertThat(beyond.complete()).isFalse();
        assertThat(atBound.replicasServe(WriteAcks.NEVER, atBound.worstLagNanos(), fresh - MS / 2 + STALE))
                .as("a lag exactly at the bound, a view exactly as old as allowed").isTrue();
    }
}
