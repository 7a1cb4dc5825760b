package io.stateguard.agent.guard;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proof of lost writes from the primary's replication ID, read over time: a change proves lost writes
 * only when a read that started after the mark still saw the old ID.
 */
class ReplicationIdsTest {

    private static final long SECOND = 1_000_000_000L;

    private final Object topology = new Object();

    private long now = 100 * SECOND;

    /** Answers given later, by {@link #answer}: reads in flight. */
    private final List<ReplicationIds.Callback> inFlight = new ArrayList<>();

    private final AtomicInteger reads = new AtomicInteger();

    private final ReplicationIds ids = new ReplicationIds((topology, done) -> {
        if (topology != this.topology) {
            return false;
        }
        reads.incrementAndGet();
        inFlight.add(done);
        return true;
    }, SECOND, () -> now);

    private void answer(String replicationId) {
        ReplicationIds.Callback next = inFlight.remove(0);
        next.done(replicationId, replicationId == null ? "NOPERM" : null);
    }

    /** The next read in flight ends without an ID and without a refusal (the connection was busy). */
    private void skipped() {
        inFlight.remove(0).done(null, null);
    }

    private ReplicationIds.Proof fresh(String replicationId) {
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        ids.fresh(topology, proofs::add);
        answer(replicationId);
        assertThat(proofs).hasSize(1);
        return proofs.get(0);
    }

    /**
     * A mark set after a first read of the ID answered {@code history}, and a later read (started after the
     * mark) that answered it again: the mark's sighting.
     */
    private short markVouchedFor(String history) {
        ids.sighting(topology);
        answer(history);
        short mark = ids.sighting(topology);
        now += 2 * SECOND;
        ids.sighting(topology);
        answer(history);
        return mark;
    }

    @Test
    void sightingsReadTheIdAtMostOncePerIntervalAndNeverWait() {
        assertThat(ids.sighting(topology)).as("the read it starts is the first after the mark").isEqualTo((short) 1);
        assertThat(reads).hasValue(1);
        assertThat(ids.sighting(topology)).as("no second read within the interval: the next one vouches")
                .isEqualTo((short) 2);
        now += 2 * SECOND;
        assertThat(ids.sighting(topology)).as("the first read is still in flight").isEqualTo((short) 2);
        assertThat(reads).hasValue(1);
        answer("A");
        assertThat(ids.sighting(topology)).isEqualTo((short) 2);
        assertThat(reads).hasValue(2);
        assertThat(ids.sighting(null)).isEqualTo(ReplicationIds.NO_SIGHTING);
    }

    @Test
    void theReadAMarkStartsVouchesForIt() {
        short mark = ids.sighting(topology); // the reply that set the mark is in: read 1 reaches Redis after it
        answer("A");
        assertThat(fresh("B").changedSince(mark)).isTrue();
    }

    @Test
    void aChangeAfterAReadThatFollowedTheMarkProvesLostWrites() {
        ids.sighting(topology);
        answer("A");
        short mark = ids.sighting(topology); // the mark is set: read 1 started before it
        now += 2 * SECOND;
        ids.sighting(topology); // read 2 starts after the mark
        answer("A");
        assertThat(fresh("B").changedSince(mark)).isTrue();
        assertThat(fresh("A").changedSince(mark)).as("the same history").isFalse();
    }

    @Test
    void withoutAReadBetweenTheMarkAndTheProofNothingIsProven() {
        ids.sighting(topology);
        answer("A");
        short mark = ids.sighting(topology);
        assertThat(fresh("B").changedSince(mark))
                .as("the mark may have been set on B already: only read 1, which started before it, saw A").isFalse();
        assertThat(mark).isEqualTo((short) 2);
    }

    @Test
    void aReadInFlightWhenTheMarkWasSetDoesNotCountAsAfterIt() {
        ids.sighting(topology); // read 1 starts
        short mark = ids.sighting(topology); // the mark is set while read 1 is in flight
        answer("A"); // Redis may have answered read 1 before the reply that set the mark
        assertThat(fresh("B").changedSince(mark)).isFalse();
    }

    @Test
    void anUnknownIdProvesNothing() {
        ids.sighting(topology);
        answer("A");
        short mark = ids.sighting(topology);
        now += 2 * SECOND;
        ids.sighting(topology);
        skipped(); // the connection was busy (a transaction, a lost connection): no ID
        assertThat(fresh("B").changedSince(mark)).as("no read after the mark answered").isFalse();
        assertThat(fresh("B").changedSince(ReplicationIds.NO_SIGHTING)).isFalse();
        assertThat(fresh(null).changedSince(mark)).as("refused").isFalse();
    }

    @Test
    void aTopologyNoSourceCanReadProvesNothingAndIsNotReadAgainAndAgain() {
        Object cluster = new Object();
        ids.sighting(cluster);
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        ids.fresh(cluster, proofs::add);
        assertThat(proofs).singleElement().satisfies(proof -> assertThat(proof.changedSince((short) 1)).isFalse());
        assertThat(reads).hasValue(0);
    }

    @Test
    void aMarkOfLongAgoIsStillProvenAfterTheSequenceNumbersWrap() {
        ids.sighting(topology);
        answer("A");
        short mark = ids.sighting(topology);
        for (int i = 0; i < 40_000; i++) { // more reads than 15 bits count
            now += 2 * SECOND;
            ids.sighting(topology);
            answer("A");
        }
        assertThat(fresh("B").changedSince(mark)).isTrue();
    }

    @Test
    void aChangeBeforeTheMarkIsNotALossAfterIt() {
        ids.sighting(topology);
        answer("A");
        now += 2 * SECOND;
        ids.sighting(topology);
        answer("B"); // failed over before the mark
        short mark = ids.sighting(topology);
        now += 2 * SECOND;
        ids.sighting(topology);
        answer("B");
        assertThat(fresh("B").changedSince(mark)).isFalse();
        assertThat(fresh("C").changedSince(mark)).isTrue();
    }

    @Test
    void proofsAskedWhileOneIsInFlightShareTheNextRead() {
        short mark = markVouchedFor("A");
        int before = reads.get();
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        ids.fresh(topology, proofs::add); // in flight
        for (int i = 0; i < 100; i++) {
            ids.fresh(topology, proofs::add); // after a failover, every key wants a proof
        }
        assertThat(reads.get() - before).as("one read in flight").isEqualTo(1);
        answer("B");
        assertThat(proofs).hasSize(1);
        assertThat(reads.get() - before).as("one more read for the 100 that waited").isEqualTo(2);
        answer("B");
        assertThat(proofs).hasSize(101).allMatch(proof -> proof.changedSince(mark));
        assertThat(inFlight).isEmpty();
    }

    @Test
    void eachTopologyKeepsItsOwnReads() {
        Object other = new Object();
        ReplicationIds both = new ReplicationIds((topology, done) -> {
            reads.incrementAndGet();
            inFlight.add(done);
            return true;
        }, SECOND, () -> now);
        both.sighting(topology);
        answer("A");
        short mark = both.sighting(topology);
        now += 2 * SECOND;
        both.sighting(other); // another topology's reads in between
        answer("X");
        both.sighting(topology);
        answer("A");
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        both.fresh(topology, proofs::add);
        answer("B");
        assertThat(proofs).singleElement().satisfies(proof -> assertThat(proof.changedSince(mark)).isTrue());
    }

    @Test
    void aRefusedReadIsNotRepeatedTenTimesASecond() {
        ids.sighting(topology);
        answer(null); // NOPERM
        for (int i = 0; i < 50; i++) {
            now += SECOND / 10;
            ids.sighting(topology);
        }
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        ids.fresh(topology, proofs::add);
        assertThat(reads).as("paused for a minute").hasValue(1);
        assertThat(proofs).singleElement().satisfies(proof -> assertThat(proof.changedSince((short) 1)).isFalse());
        now += ReplicationIds.REFUSED_PAUSE_NANOS;
        ids.sighting(topology);
        assertThat(reads).as("asked again after the pause").hasValue(2);
    }

    @Test
    void aValueSeenBeforeAProofReadIsVouchedForByIt() {
        ids.sighting(topology);
        answer("A");
        ReplicationIds.Proof proof = fresh("A"); // read 2
        short reset = proof.sighting();
        assertThat(reset).isEqualTo((short) 2);
        assertThat(fresh("B").changedSince(reset)).as("read 2 saw A after the value, B now").isTrue();
    }

    @Test
    void registeredSourcesReadOnlyTheirOwnTopologies() {
        Object mine = new Object();
        List<ReplicationIds.Callback> pending = new ArrayList<>();
        ReplicationIds.Source source = (topology, done) -> {
            if (topology != mine) {
                return false;
            }
            pending.add(done);
            return true;
        };
        ReplicationIds.addSource(source);
        ReplicationIds.addSource(source); // once is enough
        ReplicationIds registered = new ReplicationIds(null, SECOND, () -> now);
        registered.sighting(mine);
        assertThat(pending).hasSize(1);
        List<ReplicationIds.Proof> proofs = new ArrayList<>();
        registered.fresh(new Object(), proofs::add);
        assertThat(proofs).as("no source reads a topology of no client: nothing is proven").singleElement()
                .satisfies(proof -> assertThat(proof.changedSince((short) 1)).isFalse());
        assertThat(pending).hasSize(1);
    }
}
