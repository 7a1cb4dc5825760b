package io.stateguard.agent.replication;

import java.util.ArrayList;
import java.util.List;

/**
 * One shard's replication over time, as the monitor learns it: the primary's replication ID (a change is a
 * failover) and its offset timeline, from which each replica's lag is derived. Confined to the monitor's
 * thread; what it concludes is published as a {@link ShardView}.
 */
final class ShardReplication {

    /** Samples kept: at the default 50 ms poll interval, 12.8 s of history. */
    static final int TIMELINE = 256;

    /** Receives a proven change of the primary's replication ID. */
    interface Failovers {
        void failover(Endpoint primary, String previousId, String currentId);
    }

    private final long[] sentNanos = new long[TIMELINE];
    private final long[] offsets = new long[TIMELINE];
    private int head; // index of the oldest sample
    private int count;
    private long lastSent;
    private String replicationId;

    /**
     * Takes the latest samples of one poll and publishes what they show.
     *
     * @param primary the node the client takes for the shard's primary, and its latest sample ({@code null}
     *     when it has not answered yet)
     * @param replicas the replicas the client knows for the shard, with their latest samples ({@code null} each
     *     when not answered)
     * @param staleAfterNanos a sample older than this is not used
     */
    ShardView update(Endpoint primary, Sample primarySample, List<Endpoint> replicas, Sample[] replicaSamples,
            long nowNanos, long staleAfterNanos, Failovers failovers) {
        boolean primaryKnown = primarySample != null && nowNanos - primarySample.receivedNanos <= staleAfterNanos
                && primarySample.info.role() == ReplicationInfo.Role.PRIMARY
                && primarySample.info.replicationId() != null && primarySample.info.offset() >= 0;
        if (primaryKnown) {
            String id = primarySample.info.replicationId();
            if (replicationId != null && !replicationId.equals(id)) {
                failovers.failover(primary, replicationId, id);
                clear();
            }
            replicationId = id;
            if (count == 0 || primarySample.sentNanos - lastSent > 0) {
                if (count > 0 && primarySample.info.offset() < offsets[index(count - 1)]) {
                    clear(); // offsets never go back under one ID: a history we cannot compare with
                }
                append(primarySample.sentNanos, primarySample.info.offset());
            }
        }
        int n = replicas.size();
        long[] applied = new long[n];
        long[] lag = new long[n];
        long[] lagAtLeast = new long[n];
        long[] bytes = new long[n];
        boolean[] usable = new boolean[n];
        long newestOffset = count == 0 ? -1 : offsets[index(count - 1)];
        for (int i = 0; i < n; i++) {
            Sample sample = replicaSamples[i];
            if (!primaryKnown || sample == null || nowNanos - sample.receivedNanos > staleAfterNanos) {
                continue;
            }
            ReplicationInfo info = sample.info;
            if (info.role() != ReplicationInfo.Role.REPLICA || !info.linkUp() || info.offset() < 0
                    || !replicationId.equals(info.replicationId())) {
                continue;
            }
            usable[i] = true;
            applied[i] = info.offset();
            bytes[i] = Math.max(0, newestOffset - info.offset());
            lag[i] = lagNanos(info.offset(), sample.receivedNanos);
            lagAtLeast[i] = lag[i] != Long.MAX_VALUE || count == 0 ? lag[i]
                    : Math.max(0, sample.receivedNanos - sentNanos[index(0)]);
        }
        long[] sent = new long[count];
        long[] offs = new long[count];
        for (int i = 0; i < count; i++) {
            sent[i] = sentNanos[index(i)];
            offs[i] = offsets[index(i)];
        }
        return new ShardView(primary, primaryKnown ? replicationId : null, sent, offs, new ArrayList<>(replicas),
                applied, lag, lagAtLeast, bytes, usable, primaryKnown, nowNanos, staleAfterNanos);
    }

    /**
     * An upper bound of the lag of a replica that had applied {@code applied} when its answer arrived: the time
     * from the send of the newest primary sample it covers to that arrival. A replica behind every kept sample
     * has no upper bound ({@link Long#MAX_VALUE}: beyond any max-replica-lag): the time since the oldest sample
     * is only a lower bound, and right after the timeline starts (a new topology, a failover) that oldest sample
     * is the round's own, which would make a replica any distance behind look a millisecond behind.
     */
    long lagNanos(long applied, long receivedNanos) {
        for (int i = count - 1; i >= 0; i--) {
            if (offsets[index(i)] <= applied) {
                return Math.max(0, receivedNanos - sentNanos[index(i)]);
            }
        }
        return Long.MAX_VALUE;
    }

    String replicationId() {
        return replicationId;
    }

    private void append(long sent, long offset) {
        if (count == TIMELINE) {
            head = (head + 1) % TIMELINE;
            count--;
        }
        int at = index(count);
        sentNanos[at] = sent;
        offsets[at] = offset;
        count++;
        lastSent = sent;
    }

    private void clear() {
        head = 0;
        count = 0;
    }

    private int index(int i) {
        return (head + i) % TIMELINE;
    }
}
