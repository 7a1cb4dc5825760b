package io.stateguard.agent.replication;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What the replication monitor knows about one shard (a primary and the replicas the client knows for it) after
 * a poll round. Immutable; published for the routing decision, which reads it on the application's threads.
 *
 * <p>The primary's offset timeline is kept as samples {@code (time the INFO was sent, master_repl_offset)} under
 * the current replication ID: a sample's offset covers every write acknowledged before it was sent. A replica
 * whose applied offset is at least a sample's offset holds everything the primary held when that sample was
 * sent, so its lag is at most the time from that send to the replica's answer.
 */
public final class ShardView {

    /** {@link #offsetSentAfter} when no sample was sent after the write was acknowledged. */
    public static final long NOT_YET = -1;

    private final Endpoint primary;
    private final String replicationId;
    private final long[] sampleSendNanos;
    private final long[] sampleOffsets;
    private final List<Endpoint> replicas;
    private final long[] appliedOffsets;
    private final long[] lagNanos;
    private final long[] lagAtLeastNanos;
    private final long[] lagBytes;
    private final boolean[] usable;
    private final boolean complete;
    private final long minApplied;
    private final long worstLagNanos;
    private final long worstKnownLagNanos;
    private final long publishedNanos;
    private final long staleAfterNanos;

    ShardView(Endpoint primary, String replicationId, long[] sampleSendNanos, long[] sampleOffsets,
            List<Endpoint> replicas, long[] appliedOffsets, long[] lagNanos, long[] lagAtLeastNanos, long[] lagBytes,
            boolean[] usable,
            boolean complete, long publishedNanos, long staleAfterNanos) {
        this.primary = primary;
        this.replicationId = replicationId;
        this.sampleSendNanos = sampleSendNanos;
        this.sampleOffsets = sampleOffsets;
        this.replicas = Collections.unmodifiableList(replicas);
        this.appliedOffsets = appliedOffsets;
        this.lagNanos = lagNanos;
        this.lagAtLeastNanos = lagAtLeastNanos;
        this.lagBytes = lagBytes;
        this.usable = usable;
        long min = Long.MAX_VALUE;
        long worst = 0;
        long worstKnown = 0;
        boolean all = complete && sampleOffsets.length > 0;
        for (int i = 0; i < usable.length; i++) {
            all &= usable[i];
            min = Math.min(min, appliedOffsets[i]);
            worst = Math.max(worst, lagNanos[i]);
            worstKnown = Math.max(worstKnown, lagAtLeastNanos[i]);
        }
        this.complete = all;
        this.minApplied = min;
        this.worstLagNanos = worst;
        this.worstKnownLagNanos = worstKnown;
        this.publishedNanos = publishedNanos;
        this.staleAfterNanos = staleAfterNanos;
    }

    /**
     * Whether every replica the client may read from can serve a read now: this view is fresh, every replica
     * answered under the primary's replication ID with its link up, the worst lag is within
     * {@code maxLagNanos}, and, for a key this process wrote ({@code ackNanos != 0}: when the write's reply
     * arrived), every replica has applied the primary's offset observed after that write.
     */
    public boolean replicasServe(long ackNanos, long maxLagNanos, long nowNanos) {
        if (!complete || nowNanos - publishedNanos > staleAfterNanos || worstLagNanos > maxLagNanos) {
            return false;
        }
        if (ackNanos == 0) {
            return true;
        }
        long needed = offsetSentAfter(ackNanos);
        return needed != NOT_YET && minApplied >= needed;
    }

    /**
     * The offset of the first primary sample sent after {@code ackNanos} (strictly: a sample sent at the same
     * nanosecond may have been sent before the acknowledgement arrived): every write acknowledged before then is
     * within it. A time before the oldest kept sample gets the oldest sample's offset (an
     * upper bound, so still safe); {@link #NOT_YET} when no sample was sent since.
     */
    public long offsetSentAfter(long ackNanos) {
        int low = 0;
        int high = sampleSendNanos.length - 1;
        if (high < 0 || sampleSendNanos[high] - ackNanos <= 0) {
            return NOT_YET;
        }
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sampleSendNanos[middle] - ackNanos > 0) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return sampleOffsets[low];
    }

    public Endpoint primary() {
        return primary;
    }

    public String replicationId() {
        return replicationId;
    }

    /** The replicas the client knows for this shard, in the client's order. */
    public List<Endpoint> replicas() {
        return replicas;
    }

    /** Whether replica {@code i} answered under the primary's replication ID with its link up, recently. */
    public boolean usable(int i) {
        return usable[i];
    }

    /**
     * Replica {@code i}'s lag in nanoseconds (an upper bound), {@link Long#MAX_VALUE} when it is behind every kept
     * sample of the primary (no bound known), or -1 when unknown.
     */
    public long lagNanos(int i) {
        return usable[i] ? lagNanos[i] : -1;
    }

    /** Replica {@code i}'s lag in bytes of replication stream, or -1 when unknown. */
    public long lagBytes(int i) {
        return usable[i] ? lagBytes[i] : -1;
    }

    /** Whether every replica is usable (see {@link #replicasServe}). */
    public boolean complete() {
        return complete;
    }

    /** The worst replica's lag, an upper bound ({@link Long#MAX_VALUE} when one is behind every kept sample). */
    public long worstLagNanos() {
        return worstLagNanos;
    }

    /**
     * The worst lag known for certain: the upper bound of a replica that covers a kept sample, and for one behind
     * every kept sample the time since the oldest (a lower bound: it lags at least that much). A replica beyond
     * {@code max-replica-lag} by this measure is skipped even by rules that read replicas while the lag is unknown
     * ({@code replica-checked}).
     */
    public long worstKnownLagNanos() {
        return worstKnownLagNanos;
    }

    @Override
    public String toString() {
        return "ShardView{primary=" + primary + ", replid=" + replicationId + ", samples=" + sampleOffsets.length
                + ", replicas=" + replicas + ", applied=" + Arrays.toString(appliedOffsets) + ", lagNanos="
                + Arrays.toString(lagNanos) + ", usable=" + Arrays.toString(usable) + ", complete=" + complete + "}";
    }
}
